// The declaration file (option `dts`): it fills in the runtime's `LazyModules` and `LazyModuleMeta`
// interfaces (src/runtime/index.ts), so that the names the look-ups take are checked and their
// modules typed. Sorted and relative, so it reads the same on every machine and can be committed.
import type { LazyModule } from './names'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { RUNTIME_ID } from '../contract'
import { toPosix } from './names'

/** Each name and the type the file gives it. */
export type DtsEntries = Map<string, string>

/** Where the dev server's marked modules are listed, apart from any build's. */
export const DEV_SERVER = 'the dev server'

export interface DtsContent {
  registered: DtsEntries
  /**
   * Marked modules, by the build that found them (Vite's environment, `client` or `ssr`; `''` for
   * Rollup and Rolldown) or `DEV_SERVER`: known only once their importers are transformed, so each
   * build keeps the others' lists, and an app whose client and server builds mark different
   * modules lists both, whichever built last.
   */
  marked: Map<string, DtsEntries>
  meta: DtsEntries
}

const HEADER = `// Written by unplugin-lazy-modules (option \`dts\`): the names importModule, getLoader, iterModules,
// hasModule and preload take, and their modules' types. Include it in your tsconfig (the app's, as
// tsconfig.app.json in create-vite and create-vue projects). It is rewritten on every build, and by
// the dev server when a file matching a \`modules\` glob comes or goes.
`
const MARKED = /^ {2,4}\/\/ Marked lazy by an import, as (?:the last (?:(\S+) )?build|(the dev server)) found them:$/

function markedHeading(where: string): string {
  const by = where === DEV_SERVER ? DEV_SERVER : `the last ${where ? `${where} ` : ''}build`
  return `  // Marked lazy by an import, as ${by} found them:`
}

/** The entries of these modules, their paths relative to the declaration file's folder; marked ones under `where`. */
export function dtsEntries(modules: LazyModule[], dtsFile: string, where = ''): DtsContent {
  const content: DtsContent = { registered: new Map(), marked: new Map(), meta: new Map() }
  for (const module of modules) {
    // A package by its own name, not by the file in node_modules it resolved to.
    const packaged = module.id === undefined || /[/\\]node_modules[/\\]/.test(module.id)
    const entries = module.kind === 'registered' ? content.registered : content.marked.get(where) ?? content.marked.set(where, new Map()).get(where)!
    entries.set(module.name, moduleType(packaged ? module.source : module.id!, dtsFile))
    if (module.meta) {
      const { file, export: name } = module.meta
      content.meta.set(module.name, `typeof import(${JSON.stringify(specifier(file, dtsFile))})${name ? `.${name}` : ''}`)
    }
  }
  return content
}

export function dtsCode({ registered, marked, meta }: DtsContent): string {
  const lines = (entries: DtsEntries) => [...entries].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([name, type]) => `    ${JSON.stringify(name)}: ${type}\n`).join('')
  // A module both registered and marked is listed once, by its registered name. One marked by two
  // builds is in both lists: TypeScript merges the interfaces, each giving it the same type.
  const sections = [...marked].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).flatMap(([where, entries]) => {
    const markedOnly = new Map([...entries].filter(([name]) => !registered.has(name)))
    return markedOnly.size ? [`${markedHeading(where)}\n  interface LazyModules {\n${lines(markedOnly)}  }\n`] : []
  })
  return `${HEADER}export {}

declare module '${RUNTIME_ID}' {
  interface LazyModules {
${lines(registered)}  }
${sections.join('')}  interface LazyModuleMeta {
${lines(meta)}  }
}
`
}

/** The marked modules a declaration file written by `dtsCode` lists, by where. */
export function markedIn(code: string): Map<string, DtsEntries> {
  const marked = new Map<string, DtsEntries>()
  let entries: DtsEntries | undefined
  for (const line of code.split('\n')) {
    const heading = MARKED.exec(line)
    const entry = /^ {4}("(?:[^"\\]|\\.)*"): (.+)$/.exec(line)
    if (heading)
      marked.set(heading[2] ?? heading[1] ?? '', entries = new Map())
    else if (entry && entries)
      entries.set(JSON.parse(entry[1]), entry[2])
    else if (!/^ {2}interface LazyModules \{$/.test(line))
      entries = undefined
  }
  return marked
}

/** Writes the file only when its text changes: an editor or a watcher sees nothing otherwise. */
export function writeIfChanged(file: string, code: string): boolean {
  if (existsSync(file) && readFileSync(file, 'utf8') === code)
    return false
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, code)
  return true
}

export function readIfThere(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : ''
}

/**
 * `import()` of the module, as the bundler gives it. A JSON module has a default export besides its
 * named ones, which `typeof import()` of a JSON file leaves out.
 */
function moduleType(file: string, dtsFile: string): string {
  const type = `typeof import(${JSON.stringify(specifier(file, dtsFile))})`
  return file.endsWith('.json') ? `${type} & { default: ${type} }` : type
}

/**
 * How the declaration file names a module: relative, with the extension TypeScript maps to the
 * source (`.js` for `.ts`), which every `moduleResolution` accepts. A bare package stays as it is.
 */
function specifier(file: string, dtsFile: string): string {
  if (!file.startsWith('/') && !/^[a-z]:[\\/]/i.test(file))
    return file
  const path = toPosix(relative(dirname(dtsFile), file)).replace(/\.([cm]?)ts$/, '.$1js').replace(/\.tsx$/, '.jsx')
  return path.startsWith('.') ? path : `./${path}`
}
