// Generates the app the build benchmark bundles: about 2,000 modules (a tree of JS and TS modules that
// import each other, shared utilities, some CSS), five lazily loaded features and 50 modules
// registered by name. Deterministic: the same options give the same bytes.
//
// Two variants share every file except `src/variant-<name>/lazy-entry.js`, picked by the `@variant` alias:
//   with     five imports marked `with { lazy: 'true' }` and the runtime's importModule/iterModules over
//            the `modules: { 'charts/*': 'src/charts/*.js' }` registry (needs the plugin);
//   without  the same code-splitting written by hand: `() => import(...)` and `import.meta.glob`.
//
// Usage: node bench/gen-app.mjs [dir] [modules]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { prng } from './lib/stats.mjs'

export const CHARTS = 50
export const FEATURES = 5
const FEATURE_SIZE = 30
const SHARED = 40
const STYLES = 12
const BRANCHING = 4
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango']

export function generateApp({ dir, modules = 2000, seed = 20261125 } = {}) {
  const rand = prng(seed)
  rmSync(dir, { recursive: true, force: true })
  const files = new Map()
  const put = (path, text) => files.set(path, text)

  // Fixed parts: main, 2 variant files (1 per build), shared utilities, features, charts. The tree fills the rest.
  const fixed = 2 + SHARED + FEATURES * FEATURE_SIZE + CHARTS
  const treeSize = Math.max(1, modules - fixed)

  // Shared utilities: leaves that many modules import.
  const shared = []
  for (let k = 0; k < SHARED; k++) {
    const names = [`fmt${k}`, `hash${k}`, `clamp${k}`]
    shared.push({ path: `src/shared/u${k}.js`, names })
    put(`src/shared/u${k}.js`, utilityModule(k, names, rand))
  }

  // The main tree: module i's parent is (i - 1) / BRANCHING, plus a few cross edges to later modules (a DAG).
  const tree = []
  for (let i = 0; i < treeSize; i++) {
    const ts = i > 0 && rand() < 0.3
    tree.push({ i, path: `src/app/d${Math.floor(i / 40)}/m${i}.${ts ? 'ts' : 'js'}`, ts, children: [] })
  }
  for (let i = 1; i < treeSize; i++)
    tree[Math.floor((i - 1) / BRANCHING)].children.push(i)
  for (let i = 0; i < treeSize - 1; i++) {
    if (rand() < 0.3) {
      const j = rand.int(i + 1, treeSize - 1)
      if (!tree[i].children.includes(j))
        tree[i].children.push(j)
    }
  }
  const styled = new Set(Array.from({ length: STYLES }, () => rand.int(0, treeSize - 1)))
  let style = 0
  for (const node of tree) {
    const deps = node.children.map(j => ({ path: tree[j].path, name: 'run', ts: tree[j].ts }))
    const css = styled.has(node.i) ? `src/styles/s${style++}.css` : undefined
    if (css)
      put(css, styleSheet(style, rand))
    put(node.path, codeModule({ path: node.path, deps, shared: pickShared(shared, rand), css, ts: node.ts, rand, tag: `m${node.i}` }))
  }

  // Lazy features: small trees of their own, each reached only through a lazy import.
  for (let f = 0; f < FEATURES; f++) {
    for (let j = 0; j < FEATURE_SIZE; j++) {
      const children = [1, 2, 3].map(b => j * 3 + b).filter(c => c < FEATURE_SIZE)
      const path = `src/features/f${f}/m${j}.js`
      const deps = children.map(c => ({ path: `src/features/f${f}/m${c}.js`, name: 'run' }))
      put(path, codeModule({ path, deps, shared: pickShared(shared, rand), rand, tag: `f${f}m${j}`, withDefault: j === 0 }))
    }
  }

  // Modules registered by name (charts/*): each its own chunk.
  for (let c = 0; c < CHARTS; c++) {
    const path = `src/charts/c${c}.js`
    put(path, codeModule({ path, deps: [], shared: pickShared(shared, rand), rand, tag: `c${c}`, chart: true }))
  }

  put('src/variant-with/lazy-entry.js', lazyEntryWith())
  put('src/variant-without/lazy-entry.js', lazyEntryWithout())
  put('src/main.css', styleSheet(0, rand))
  put('src/main.js', [
    `import './main.css'`,
    `import { run } from './app/d0/m0.js'`,
    `import { setup } from '@variant/lazy-entry.js'`,
    ``,
    `document.querySelector('#out').textContent = String(run(1))`,
    `setup(document.body)`,
    ``,
  ].join('\n'))
  put('index.html', `<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8"><title>bench app</title></head>
  <body>
    <output id="out"></output>
    ${Array.from({ length: FEATURES }, (_, f) => `<button id="f${f}">feature ${f}</button>`).join('\n    ')}
    <button id="charts">charts</button>
    <script type="module" src="/src/main.js"></script>
  </body>
</html>
`)

  // As in a real app, the root has a node_modules folder of its own: the plugin keeps its size cache
  // there (node_modules/.cache), and builds nothing from it (this app has no dependencies).
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  let bytes = 0
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
    bytes += Buffer.byteLength(text)
  }
  const scripts = [...files.keys()].filter(path => /\.[jt]s$/.test(path))
  // One variant file is in each build, the other is not.
  return { dir, files: files.size, modulesPerBuild: scripts.length - 1, tsModules: scripts.filter(p => p.endsWith('.ts')).length, bytes }
}

function pickShared(shared, rand) {
  const count = rand.int(0, 2)
  const picked = new Map()
  for (let n = 0; n < count; n++) {
    const util = rand.pick(shared)
    picked.set(util.path, util.names.slice(0, rand.int(1, 3)))
  }
  return [...picked].map(([path, names]) => ({ path, names }))
}

function relativeImport(from, to, dropTsExtension) {
  let spec = posix.relative(posix.dirname(from), to)
  if (!spec.startsWith('.'))
    spec = `./${spec}`
  return dropTsExtension ? spec.replace(/\.ts$/, '') : spec
}

/** A module of a few hundred bytes to a dozen KB: tables, functions, classes, an async function. */
function codeModule({ path, deps, shared, css, ts = false, rand, tag, withDefault = false, chart = false }) {
  const target = chart ? rand.int(1500, 6000) : pickSize(rand)
  const lines = [`// ${path}: generated for the build benchmark.`]
  deps.forEach((dep, k) => lines.push(`import { ${dep.name} as dep${k} } from '${relativeImport(path, dep.path, dep.ts)}'`))
  for (const { path: util, names } of shared)
    lines.push(`import { ${names.join(', ')} } from '${relativeImport(path, util)}'`)
  if (css)
    lines.push(`import '${relativeImport(path, css)}'`)
  lines.push('')

  const calls = []
  let size = lines.join('\n').length
  for (let b = 0; size < target; b++) {
    const block = blocks[b % blocks.length](`${tag}_${b}`, rand, ts)
    lines.push(block.code, '')
    calls.push(block.call)
    size += block.code.length + 1
  }
  const args = ts ? 'n: number' : 'n'
  const ret = ts ? ': number' : ''
  lines.push(
    `export function run(${args})${ret} {`,
    `  let total = 0`,
    ...calls.map(call => `  total += ${call}`),
    ...deps.map((_, k) => `  total += dep${k}(n + 1)`),
    ...shared.flatMap(({ names }) => names.map(name => `  total += Number(${name}(total, n)) || 0`)),
    `  return total`,
    `}`,
  )
  if (withDefault)
    lines.push(`export default run`)
  if (chart)
    lines.push(`export const kind = '${tag}'`, `export function draw() { return run(${rand.int(1, 9)}) }`)
  return `${lines.join('\n')}\n`
}

function pickSize(rand) {
  const r = rand()
  if (r < 0.6)
    return rand.int(500, 2000)
  if (r < 0.9)
    return rand.int(2000, 5000)
  return rand.int(5000, 12000)
}

const blocks = [
  (id, rand, ts) => {
    const rows = Array.from({ length: rand.int(4, 14) }, (_, k) => `  { id: ${k + 1}, label: '${rand.pick(WORDS)}-${rand.pick(WORDS)}', weight: ${rand().toFixed(3)}, tags: ['${rand.pick(WORDS)}', '${rand.pick(WORDS)}'] },`)
    const type = ts ? `interface Row_${id} { id: number; label: string; weight: number; tags: string[] }\n` : ''
    return {
      code: `${type}const TABLE_${id}${ts ? `: Row_${id}[]` : ''} = [\n${rows.join('\n')}\n]\nfunction weigh_${id}(min${ts ? ': number' : ''}) {\n  return TABLE_${id}.filter(row => row.weight >= min).reduce((sum, row) => sum + row.weight * row.tags.length, 0)\n}`,
      call: `weigh_${id}(${rand().toFixed(2)} * (n % 2))`,
    }
  },
  (id, rand, ts) => ({
    code: `function compute_${id}(input${ts ? ': string' : ''}, factor${ts ? ': number' : ''} = ${rand.int(2, 9)})${ts ? ': number' : ''} {
  let acc = 0
  for (let i = 0; i < input.length; i++) {
    const v = input.charCodeAt(i) * factor
    acc = (acc * 31 + v) % 1000003
    if (v % 7 === 0)
      acc ^= i
  }
  return acc
}`,
    call: `compute_${id}(\`${rand.pick(WORDS)}-\${n}\`)`,
  }),
  (id, rand, ts) => ({
    code: `class Store_${id}${ts ? '<T>' : ''} {
  #items = new Map()
  ${ts ? 'readonly name: string\n  ' : ''}constructor(name${ts ? ': string' : ''}) {
    this.name = name
  }
  add(key${ts ? ': string' : ''}, value${ts ? ': T' : ''}) {
    this.#items.set(key, value)
    return this
  }
  get size() {
    return this.#items.size
  }
  toJSON() {
    return { name: this.name, items: [...this.#items.entries()].map(([k, v]) => \`\${k}=\${String(v)}\`) }
  }
}`,
    call: `new Store_${id}${ts ? '<number>' : ''}('${rand.pick(WORDS)}').add('k' + n, n).add('${rand.pick(WORDS)}', ${rand.int(1, 99)}).size`,
  }),
  (id, rand, ts) => ({
    code: `async function fetchish_${id}(url${ts ? ': string' : ''}, retries = ${rand.int(1, 4)})${ts ? ': Promise<unknown>' : ''} {
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      const response = await globalThis.fetch?.(url, { headers: { accept: 'application/json' } })
      if (response?.ok)
        return await response.json()
    }
    catch (error) {
      if (attempt === retries)
        throw new Error(\`${rand.pick(WORDS)}: \${url} failed after \${attempt + 1} attempts\`, { cause: error })
    }
  }
  return null
}`,
    call: `(fetchish_${id}('/api/${rand.pick(WORDS)}/' + n).catch(() => null), 1)`,
  }),
  (id, rand, ts) => {
    const entries = Array.from({ length: rand.int(5, 12) }, () => `  ${rand.pick(WORDS)}_${rand.int(0, 999)}: '${Array.from({ length: rand.int(3, 9) }, () => rand.pick(WORDS)).join(' ')}',`)
    return {
      code: `const MESSAGES_${id}${ts ? ': Record<string, string>' : ''} = {\n${entries.join('\n')}\n}\nfunction message_${id}(key${ts ? ': string' : ''}, fallback = '') {\n  return MESSAGES_${id}[key] ?? Object.values(MESSAGES_${id}).find(text => text.includes(key)) ?? fallback\n}`,
      call: `message_${id}('${rand.pick(WORDS)}', String(n)).length`,
    }
  },
]

function utilityModule(k, names, rand) {
  return `// Shared utility ${k}.
export function ${names[0]}(value, digits = ${rand.int(0, 3)}) {
  return typeof value === 'number' ? value.toFixed(digits) : String(value ?? '')
}
export function ${names[1]}(text, seed = ${rand.int(1, 1000)}) {
  let h = seed
  for (const ch of String(text))
    h = Math.imul(h ^ ch.charCodeAt(0), 2654435761) >>> 0
  return h
}
export function ${names[2]}(value, min = 0, max = ${rand.int(10, 1000)}) {
  return Math.min(max, Math.max(min, value))
}
`
}

function styleSheet(k, rand) {
  return Array.from({ length: rand.int(4, 12) }, (_, r) => `.c${k}-${r} { color: #${rand.int(0, 0xFFFFFF).toString(16).padStart(6, '0')}; margin: ${rand.int(0, 16)}px; }`).join('\n') + '\n'
}

function lazyEntryWith() {
  return `// Variant "with": marked imports and modules by name, through the plugin.
import { importModule, iterModules, load } from 'unplugin-lazy-modules/runtime'
import * as f0 from '../features/f0/m0.js' with { lazy: 'true' }
import * as f1 from '../features/f1/m0.js' with { lazy: 'true' }
import { run as runF2 } from '../features/f2/m0.js' with { lazy: 'true' }
import runF3 from '../features/f3/m0.js' with { lazy: 'true' }
import * as f4 from '../features/f4/m0.js' with { lazy: 'true' }

export function setup(root) {
  root.querySelector('#f0').onclick = async () => (await load(f0)).run(0)
  root.querySelector('#f1').onclick = async () => (await load(f1)).run(1)
  root.querySelector('#f2').onclick = async () => await runF2(2)
  root.querySelector('#f3').onclick = async () => await runF3(3)
  root.querySelector('#f4').onclick = async () => (await load(f4)).run(4)
  root.querySelector('#charts').onclick = async () => {
    let total = 0
    for (const info of iterModules('charts/'))
      total += (await importModule(info.name)).draw()
    return total
  }
}
`
}

function lazyEntryWithout() {
  return `// Variant "without": the same code-splitting by hand, no plugin.
const f0 = () => import('../features/f0/m0.js')
const f1 = () => import('../features/f1/m0.js')
const f2 = () => import('../features/f2/m0.js')
const f3 = () => import('../features/f3/m0.js')
const f4 = () => import('../features/f4/m0.js')
const charts = import.meta.glob('../charts/*.js')

export function setup(root) {
  root.querySelector('#f0').onclick = async () => (await f0()).run(0)
  root.querySelector('#f1').onclick = async () => (await f1()).run(1)
  root.querySelector('#f2').onclick = async () => (await f2()).run(2)
  root.querySelector('#f3').onclick = async () => (await f3()).default(3)
  root.querySelector('#f4').onclick = async () => (await f4()).run(4)
  root.querySelector('#charts').onclick = async () => {
    let total = 0
    for (const loader of Object.values(charts))
      total += (await loader()).draw()
    return total
  }
}
`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url))
  const dir = process.argv[2] ?? join(here, '.tmp', 'app')
  console.log(generateApp({ dir, modules: Number(process.argv[3] ?? process.env.BENCH_MODULES ?? 2000) }))
}
