// What the plugin adds to an app's first load (issue 12). A minimal Vite 8 app loads N modules by
// name, once with the plugin's registry and runtime and once written with `import.meta.glob`.
// "First load" is index.html plus every JS file it loads eagerly (its module scripts and
// modulepreloads, and their static imports), each compressed with brotli at quality 11. A third
// variant uses every look-up of the runtime, not only importModule: a bundler drops those an app
// does not call, so this is the most the runtime costs.
//
//   npm run build && node bench/first-load.mjs [N ...]        (default N = 1 10 100)
//   node bench/first-load.mjs --json                          (machine-readable)
//
// Sizes are exact, so one build of each variant is enough.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { brotliCompressSync, constants } from 'node:zlib'
import { init, parse } from 'es-module-lexer'
import { build } from 'vite'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * Writes the app: N modules, a page, and an entry that loads one of them by name on a click.
 * `commonjs`: the entry also imports a CommonJS file, as an app importing React does, so that the
 * first load needs the bundler's interop helpers.
 */
export function writeApp(dir, n, variant, { commonjs = false } = {}) {
  mkdirSync(join(dir, 'src/mods'), { recursive: true })
  for (let i = 0; i < n; i++)
    writeFileSync(join(dir, `src/mods/m${i}.js`), `export const id = ${i}\nexport default () => 'module ${i}'\n`)
  writeFileSync(join(dir, 'index.html'), `<!doctype html>\n<html><head><title>first load</title></head><body><input id="name" value="m0"><button>load</button><output></output><script type="module" src="/src/main.js"></script></body></html>\n`)
  // `all`: the app also uses every other look-up, which an app that calls only importModule does not pay for.
  const main = variant === 'glob'
    ? `const modules = import.meta.glob('./mods/*.js')\nconst load = name => modules[\`./mods/\${name}.js\`]()\n`
    : variant === 'all'
      ? `import { configure, events, getLoader, hasModule, importModule, iterModules, load as loadHandle, preload } from 'unplugin-lazy-modules/runtime'\nconst load = name => importModule(\`mods/\${name}\`)\nwindow.lookUps = [configure, events, getLoader, hasModule, iterModules, loadHandle, preload]\n`
      : `import { importModule } from 'unplugin-lazy-modules/runtime'\nconst load = name => importModule(\`mods/\${name}\`)\n`
  if (commonjs)
    writeFileSync(join(dir, 'src/dep.cjs'), `module.exports = { greeting: 'hello' }\n`)
  const dep = commonjs ? `import dep from './dep.cjs'\ndocument.title = dep.greeting\n` : ''
  writeFileSync(join(dir, 'src/main.js'), `${dep}${main}document.querySelector('button').onclick = async () => {\n  const mod = await load(document.querySelector('#name').value)\n  document.querySelector('output').textContent = mod.default()\n}\n`)
}

/** index.html and the JS it loads at start: module scripts, modulepreloads, their static imports. */
export function firstLoad(outDir) {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8')
  const start = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map(match => match[1])
  const files = new Set()
  const queue = [...start]
  while (queue.length) {
    const file = queue.pop()
    if (files.has(file))
      continue
    files.add(file)
    const [imports] = parse(readFileSync(join(outDir, file), 'utf8'))
    for (const found of imports) {
      if (found.d === -1 && found.n?.startsWith('.'))
        queue.push(posix.join(posix.dirname(file), found.n))
    }
  }
  const brotli = data => brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
  const js = [...files].sort()
  const bytes = brotli(html) + js.reduce((sum, file) => sum + brotli(readFileSync(join(outDir, file))), 0)
  return { bytes, js }
}

export async function measure(n, variant, plugin, app = {}) {
  const dir = mkdtempSync(join(tmpdir(), `first-load-${variant}-`))
  try {
    writeApp(dir, n, variant, app)
    await build({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      plugins: variant !== 'glob' ? [plugin({ modules: { 'mods/*': 'src/mods/*.js' }, report: false, integrity: variant === 'integrity' })] : [],
      build: { outDir: join(dir, 'dist') },
    })
    return firstLoad(join(dir, 'dist'))
  }
  finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await init
  const json = process.argv.includes('--json')
  const counts = process.argv.slice(2).filter(arg => /^\d+$/.test(arg)).map(Number)
  const { default: plugin } = await import(pathToFileURL(join(root, 'dist/vite.mjs')).href).catch(() => {
    throw new Error('bench/first-load.mjs measures the built package: run `npm run build` first.')
  })
  const rows = []
  for (const n of counts.length ? counts : [1, 10, 100]) {
    const [withPlugin, all, strict, glob] = [await measure(n, 'plugin', plugin), await measure(n, 'all', plugin), await measure(n, 'integrity', plugin), await measure(n, 'glob')]
    rows.push({ n, plugin: withPlugin.bytes, glob: glob.bytes, added: withPlugin.bytes - glob.bytes, addedAll: all.bytes - glob.bytes, addedIntegrity: strict.bytes - glob.bytes, pluginJs: withPlugin.js.length, integrityJs: strict.js.length, globJs: glob.js.length })
  }
  if (json) {
    console.log(JSON.stringify(rows, null, 2))
  }
  else {
    console.log('| N | plugin | import.meta.glob | what the plugin adds | with every look-up used | with `integrity: true` | JS files (plugin / integrity / glob) |\n| --- | --- | --- | --- | --- | --- | --- |')
    for (const row of rows)
      console.log(`| ${row.n} | ${row.plugin.toLocaleString('en')} B | ${row.glob.toLocaleString('en')} B | ${row.added.toLocaleString('en')} B | ${row.addedAll.toLocaleString('en')} B | ${row.addedIntegrity.toLocaleString('en')} B | ${row.pluginJs} / ${row.integrityJs} / ${row.globJs} |`)
    if (rows.length > 1) {
      const [first, last] = [rows[0], rows.at(-1)]
      const perModule = (last.added - first.added) / (last.n - first.n)
      console.log(`\nper module: ${perModule.toFixed(1)} B more than a glob entry; fixed: ${(first.added - perModule * first.n).toFixed(0)} B`)
      const strictPerModule = (last.addedIntegrity - first.addedIntegrity) / (last.n - first.n)
      console.log(`with integrity: true: ${strictPerModule.toFixed(1)} B a module; fixed: ${(first.addedIntegrity - strictPerModule * first.n).toFixed(0)} B`)
    }
  }
}
