// `npm run demo`: builds the package, builds the playground with it, and prints what went lazy.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = fileURLToPath(new URL('..', import.meta.url))
const playground = join(root, 'playground')
const outDir = join(playground, 'dist')
// Vite warns that the plugin's source, which the config imports, will not suit its future native config
// loader. True, but not this script's news.
process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING ??= 'true'

async function main() {
  await step('build the package (unbuild)', () => {
    // For the `lazy-modules` CLI below, as users run it. The playground's config imports the plugin
    // from source, which bundles the runtime's source: it needs no dist/.
    const result = spawnSync('npx', ['unbuild'], { cwd: root, encoding: 'utf8' })
    if (result.status !== 0)
      throw new Error(`unbuild exited with ${result.error?.message ?? result.status}:\n${result.stdout}${result.stderr}`)
  })

  const output = await step('build the playground (vite)', async () => {
    const { build } = await import('vite')
    const result = await build({ root: playground, configFile: join(playground, 'vite.config.ts'), logLevel: 'warn' })
    return (Array.isArray(result) ? result[0] : result).output
  })

  const chunks = new Map(output.filter(file => file.type === 'chunk').map(chunk => [chunk.fileName, chunk]))
  const gzipOf = file => gzipSync(chunks.get(file).code, { level: 9 }).length

  const manifest = JSON.parse(readFileSync(join(outDir, 'lazy-manifest.json'), 'utf8'))
  const modules = Object.values(manifest.modules)
  console.log(`\nLazy modules (${modules.length}), from ${relative(root, join(outDir, 'lazy-manifest.json'))}, build ${manifest.buildId}:\n`)
  printTable(
    ['name', 'kind', 'file', 'raw', 'gzip', 'gzip with shared'],
    modules.map(info => [
      info.name,
      info.isPackage ? `${info.kind}, package` : info.kind,
      info.file ?? '(not bundled)',
      info.size ? kB(info.size.raw) : '-',
      info.size ? kB(info.size.gzip) : '-',
      // What loading it costs: its chunk plus the shared chunks it imports (d3 for the charts).
      info.size ? kB(info.size.gzip + info.imports.reduce((sum, file) => sum + gzipOf(file), 0)) : '-',
    ]),
  )

  // The plugin's own size report for this build, as `lazy-modules report` prints it from the output.
  console.log(`\nThe size report (also in ${relative(root, join(outDir, 'lazy-report.html'))}):\n`)
  const report = spawnSync(process.execPath, [join(root, 'dist/cli.mjs'), 'report', outDir], { encoding: 'utf8' })
  if (report.status !== 0)
    throw new Error(`lazy-modules report failed:\n${report.stdout}${report.stderr}`)
  console.log(report.stdout.trimEnd())

  const dev = await step('check the dev server (npm run play)', checkDevServer)
  console.log(`  ${dev}`)

  console.log(`\nOutput: ${relative(process.cwd(), outDir) || '.'}/  (serve it: npx vite preview playground; dev: npm run play)`)
}

/** Starts the playground's dev server on a free local port, asks it for the app and its modules, and closes it. */
async function checkDevServer() {
  const { createServer } = await import('vite')
  const server = await createServer({ root: playground, configFile: join(playground, 'vite.config.ts'), logLevel: 'warn', server: { host: '127.0.0.1', port: 0, ws: false } })
  try {
    await server.listen()
    const base = `http://127.0.0.1:${server.httpServer.address().port}`
    const get = async (path) => {
      const response = await fetch(base + path)
      if (!response.ok)
        throw new Error(`GET ${path}: ${response.status}`)
      return response.text()
    }
    if (!(await get('/')).includes('/src/main.ts'))
      throw new Error('the page does not load /src/main.ts')
    if (!(await get('/src/main.ts')).includes('__lazyHandle("src/export/pdf"'))
      throw new Error('the marked import in main.ts was not rewritten')
    // The same API the page uses, run by the server itself.
    const runtime = await server.ssrLoadModule('unplugin-lazy-modules/runtime')
    const names = runtime.iterModules().map(info => info.name)
    for (const name of names)
      await get(`/${runtime.getLoader(name).info.source}${name.startsWith('locales/') ? '?import' : ''}`)
    const chart = await runtime.importModule('charts/bar')
    const error = await runtime.importModule('chart/bar').catch(error => error)
    if (typeof chart.draw !== 'function' || !(error instanceof runtime.ModuleNotFoundError))
      throw new Error('importModule() misbehaves in dev')
    return `served ${names.length} modules by name from source; importModule('chart/bar') suggests ${JSON.stringify(error.suggestions)}`
  }
  finally {
    await server.close()
  }
}

async function step(title, run) {
  const started = performance.now()
  process.stdout.write(`- ${title}… `)
  try {
    const result = await run()
    console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return result
  }
  catch (error) {
    console.log('failed')
    throw Object.assign(new Error(`could not ${title}: ${error?.message ?? error}`), { cause: error })
  }
}

function printTable(head, rows) {
  const numeric = head.map((_, i) => rows.every(row => /^[\d.]+ kB$|^-$/.test(row[i])))
  const widths = head.map((title, i) => Math.max(title.length, ...rows.map(row => row[i].length)))
  const line = cells => cells.map((cell, i) => numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])).join('  ').trimEnd()
  console.log(line(head))
  console.log(line(widths.map(width => '-'.repeat(width))))
  for (const row of rows)
    console.log(line(row))
}

function kB(bytes) {
  return `${(bytes / 1000).toFixed(2)} kB`
}

main().catch((error) => {
  console.error(`\ndemo failed: ${error.message}`)
  process.exitCode = 1
})
