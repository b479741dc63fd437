// Size of the zip reader as an app ships it: a tiny entry that uses ZipImporter with stored
// entries, bundled and minified by rolldown (what Vite 8 uses), then gzip'd and brotli'd.
// Usage: node bench/zip-size.mjs [--print]
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build } from 'rolldown'

const here = dirname(fileURLToPath(import.meta.url))
const tmp = join(here, '.tmp')
mkdirSync(tmp, { recursive: true })

const entries = {
  'ZipImporter (list + importModule)': `import { ZipImporter } from '../../src/runtime/zip.ts'
const zip = new ZipImporter(new URL('./charts.zip', import.meta.url))
export const list = () => zip.list()
export const load = name => zip.importModule(name)
`,
  'parseZip + readEntry only': `import { parseZip, readEntry } from '../../src/runtime/zip.ts'
export const read = async (bytes, name) => readEntry(bytes, parseZip(bytes, 'a.zip').find(e => e.name === name), 'a.zip')
`,
}

const rows = []
for (const [label, code] of Object.entries(entries)) {
  const input = join(tmp, `zip-size-${rows.length}.js`)
  writeFileSync(input, code)
  const { output } = await build({ input, write: false, logLevel: 'silent', output: { format: 'es', minify: true } })
  const js = Buffer.from(output[0].code)
  if (process.argv.includes('--print')) console.log(js.toString())
  const gzip = gzipSync(js, { level: 9 }).length
  const brotli = brotliCompressSync(js, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: js.length } }).length
  rows.push({ bundle: label, raw: js.length, gzip, brotli })
}
console.table(rows)
