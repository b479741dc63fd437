// What an app downloads for the zip reader: tiny entries bundled and minified by rolldown (what
// Vite 8 uses), then gzip -9 and brotli -11 (node:zlib).
//   (a) the archive loader chunk of a stored build (the default): src/runtime/memory.ts, which the
//       runtime imports when an archived module is first used;
//   (a') the same for a `compression: 'deflate'` build: memory-deflate.ts, with the inflate glue;
//   (b) `ZipImporter`, the public zipimport-like class;
//   (c) `parseZip` + `readEntry` alone.
// Each is built twice: with errors.ts inside, and with it external. In an app errors.ts lives in the
// runtime's own chunk (runtime/index.ts re-exports its classes), so the second figure plus one
// import statement is what the lazy chunk adds.
// Usage: node bench/zip-size.mjs [--print] [--zip <file>]
//   --zip <file>  measure another zip.ts (e.g. `git show HEAD:src/runtime/zip.ts > /tmp/zip.ts`)
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build } from 'rolldown'

const here = dirname(fileURLToPath(import.meta.url))
const tmp = join(here, '.tmp')
const args = process.argv.slice(2)
const alt = args.includes('--zip') ? resolve(args[args.indexOf('--zip') + 1]) : undefined

let runtime = join(here, '../src/runtime')
mkdirSync(tmp, { recursive: true })
// With --zip, measure a copy of the runtime folder whose zip.ts is the given file.
if (alt) {
  const copy = join(tmp, 'runtime')
  mkdirSync(copy, { recursive: true })
  for (const file of ['memory.ts', 'memory-deflate.ts', 'errors.ts']) copyFileSync(join(runtime, file), join(copy, file))
  copyFileSync(alt, join(copy, 'zip.ts'))
  runtime = copy
}
const from = file => JSON.stringify(join(runtime, file))

const isErrors = id => /(?:^|[\\/])errors(?:\.ts)?$/.test(id)
const isZip = id => /(?:^|[\\/])zip(?:\.ts)?$/.test(id)

const bundles = [
  ['(a) archive loader chunk, stored (memory.ts)', `export * from ${from('memory.ts')}`],
  ['(a\') same, deflate (memory-deflate.ts)', `export * from ${from('memory-deflate.ts')}`],
  ['(b) ZipImporter', `export { ZipImporter } from ${from('zip.ts')}`],
  ['(c) parseZip + readEntry', `export { parseZip, readEntry } from ${from('zip.ts')}`],
]
// Where the bytes of (a) go; pieces built alone overlap a little.
const parts = [
  ['memory.ts alone (zip.ts, errors.ts external)', `export * from ${from('memory.ts')}`, id => isErrors(id) || isZip(id)],
  ['errors.ts: ArchiveFormatError + IntegrityError', `export { ArchiveFormatError, IntegrityError } from ${from('errors.ts')}`],
  ['zip.ts: crc32', `export { crc32 } from ${from('zip.ts')}`],
  ['zip.ts: parseZip', `export { parseZip } from ${from('zip.ts')}`, isErrors],
]

const brotli = js => brotliCompressSync(js, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: js.length } }).length
let n = 0
async function measure(label, code, external) {
  const input = join(tmp, `zip-size-${n++}.js`)
  writeFileSync(input, `${code}\n`)
  // External imports get the kind of specifier a real build writes, so their length is realistic.
  const paths = id => isErrors(id) ? './index-AbCd1234.js' : isZip(id) ? './zip-AbCd1234.js' : id
  // No comments, as Vite writes them; and the runtime chunk's exports minified, as Vite names them
  // (`import{n as e,t}from"./index-….js"`).
  const { output } = await build({ input, write: false, logLevel: 'silent', external, output: { format: 'es', minify: true, comments: false, paths } })
  let k = 0
  const js = Buffer.from(output[0].code.replace(/import\{([^}]*)\}from"\.\/index-AbCd1234\.js"/, (_, names) =>
    `import{${names.split(',').map(name => name.replace(/^\w+ as (\w+)$/, (_, local) => `${'tnr'[k++]} as ${local}`)).join(',')}}from"./index-AbCd1234.js"`))
  if (args.includes('--print')) console.log(`// ${label}\n${js}\n`)
  return { raw: js.length, gzip: gzipSync(js, { level: 9 }).length, brotli: brotli(js) }
}

const rows = []
for (const [label, code] of bundles) {
  for (const errors of ['bundled', 'external'])
    rows.push({ bundle: label, 'errors.ts': errors, ...await measure(`${label}, errors.ts ${errors}`, code, errors === 'external' ? isErrors : undefined) })
}
console.table(rows)
const breakdown = []
for (const [label, code, external] of parts) breakdown.push({ part: label, ...await measure(label, code, external) })
console.table(breakdown)
