import type { ModuleEntry, Options } from '../types'
import type { ResolvedBudget } from './report/budgets'
import type { ResolvedReportOptions } from './report/outputs'
import { resolve } from 'node:path'
import { DEFAULT_RETRY } from '../contract'
import { suggest } from '../runtime/suggest'
import { resolveBudgets } from './report/budgets'

export interface ResolvedOptions {
  modules: Record<string, string | string[] | ModuleEntry>
  attribute: string
  manifest: string | false
  archives: Record<string, string[]> | true | undefined
  compression: 'store' | 'deflate'
  keepLooseChunks: boolean
  integrity: boolean
  retry: { attempts: number, delay: number, maxDelay: number }
  report: ResolvedReportOptions
  budgets: ResolvedBudget[]
  /** Absolute path of the declaration file, or `false`. */
  dts: string | false
  root: string
}

/** Every option and its type, for the checks below: one place, read when the plugin is created. */
const SHAPE = {
  modules: 'an object of name patterns to sources',
  attribute: 'a string',
  manifest: 'a file name or false',
  archives: 'true or an object of archive names to name patterns',
  compression: "'store' or 'deflate'",
  keepLooseChunks: 'a boolean',
  integrity: 'a boolean',
  retry: 'an object with attempts, delay and maxDelay',
  report: 'a boolean or an object with console, json, html, brotli and baseline',
  budgets: 'an object with initial and lazy',
  dts: 'a file name, true or false',
  root: 'a folder path',
} satisfies Record<keyof Options, string>
const REPORT_KEYS = ['console', 'json', 'html', 'brotli', 'baseline']
const RETRY_KEYS = ['attempts', 'delay', 'maxDelay']
const BUDGET_KEYS = ['initial', 'lazy']
const ENTRY_KEYS = ['source', 'name', 'meta']

/** Throws for an option the plugin does not know, or of a type it cannot use, naming the fix. */
export function checkOptions(options: unknown): asserts options is Options | undefined {
  if (options === undefined)
    return
  if (!isObject(options))
    fail('', `the plugin takes one options object, as in LazyModules({ modules: { … } }); got ${describe(options)}`)
  unknownKeys(options, Object.keys(SHAPE), '')
  const { modules, manifest, archives, keepLooseChunks, integrity, retry, report, budgets, dts, root } = options as Record<string, unknown>
  if (modules !== undefined) {
    if (!isObject(modules))
      fail('modules', `must be ${SHAPE.modules}, as in { 'charts/*': 'src/charts/*.ts' }; got ${describe(modules)}`)
    for (const [name, value] of Object.entries(modules)) {
      const key = `modules[${JSON.stringify(name)}]`
      if (isObject(value))
        checkEntry(value, key)
      const source = isObject(value) ? value.source : value
      const sources = Array.isArray(source) ? source : [source]
      if (!sources.length || sources.some(each => typeof each !== 'string' || !each))
        fail(isObject(value) ? `${key}.source` : key, `must be a file, a glob, a package name, or an array of globs (with '!' exclusions); got ${describe(source)}`)
      if (name.split('*').length > 2)
        fail(key, `the name pattern may hold one \`*\` at most`)
    }
  }
  if (manifest !== undefined && manifest !== false && (typeof manifest !== 'string' || !manifest))
    fail('manifest', `must be ${SHAPE.manifest}; got ${describe(manifest)}`)
  if (archives !== undefined && archives !== true && archives !== false) {
    if (!isObject(archives) || Object.values(archives).some(patterns => !Array.isArray(patterns) || patterns.some(pattern => typeof pattern !== 'string')))
      fail('archives', `must be ${SHAPE.archives}, as in { charts: ['charts/*'] }; got ${describe(archives)}`)
  }
  if (keepLooseChunks !== undefined && typeof keepLooseChunks !== 'boolean')
    fail('keepLooseChunks', `must be ${SHAPE.keepLooseChunks}; got ${describe(keepLooseChunks)}`)
  if (integrity !== undefined && typeof integrity !== 'boolean')
    fail('integrity', `must be ${SHAPE.integrity}; got ${describe(integrity)}`)
  if (retry !== undefined) {
    if (!isObject(retry))
      fail('retry', `must be ${SHAPE.retry}; got ${describe(retry)}`)
    unknownKeys(retry, RETRY_KEYS, 'retry.')
  }
  if (report !== undefined && typeof report !== 'boolean') {
    if (!isObject(report))
      fail('report', `must be ${SHAPE.report}; got ${describe(report)}`)
    unknownKeys(report, REPORT_KEYS, 'report.')
  }
  // Their values are read with the sizes (./report/budgets.ts); a key misspelled would be a budget never checked.
  if (isObject(budgets))
    unknownKeys(budgets, BUDGET_KEYS, 'budgets.')
  if (dts !== undefined && typeof dts !== 'boolean' && (typeof dts !== 'string' || !dts))
    fail('dts', `must be ${SHAPE.dts}, as in 'src/lazy-modules.d.ts'; got ${describe(dts)}`)
  if (root !== undefined && (typeof root !== 'string' || !root))
    fail('root', `must be ${SHAPE.root}; got ${describe(root)}`)
}

/** An object entry of `modules`: `{ source, name?, meta? }`. */
function checkEntry(entry: Record<string, unknown>, key: string) {
  unknownKeys(entry, ENTRY_KEYS, `${key}.`)
  if (entry.name !== undefined && typeof entry.name !== 'function')
    fail(`${key}.name`, `must be a function from a matched path (and the name the pattern gives) to a name, as in (path, name) => name.toLowerCase(); got ${describe(entry.name)}`)
  const { meta } = entry
  if (meta !== undefined && (typeof meta !== 'string' || !/^(?:[A-Z_$][\w$]*|\.{1,2}\/.+)$/i.test(meta)))
    fail(`${key}.meta`, `must name an export of each module ('meta' for \`export const meta = { … }\`) or a file beside it ('./meta.json'); got ${describe(meta)}`)
}

function unknownKeys(object: object, known: string[], prefix: string) {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      const close = suggest(key, known)
      fail(`${prefix}${key}`, `is not an option${close.length ? `: did you mean \`${prefix}${close[0]}\`?` : '.'} The options${prefix ? ` of \`${prefix.slice(0, -1)}\`` : ''} are ${known.join(', ')}`)
    }
  }
}

function fail(option: string, problem: string): never {
  throw new Error(`[lazy-modules] option ${option ? `\`${option}\` ` : ''}${problem}.`)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  return Array.isArray(value) ? `an array (${JSON.stringify(value)})` : value === null ? 'null' : value === undefined ? 'nothing' : `${typeof value} ${JSON.stringify(value)}`
}

/**
 * `host.compressedSizes: false` is the bundler's own "do not compress to measure" switch (Vite's
 * `build.reportCompressedSize`): the size report follows it unless `report` is set explicitly.
 */
export function resolveOptions(options: Options = {}, fallbackRoot = process.cwd(), host: { compressedSizes?: boolean } = {}): ResolvedOptions {
  checkOptions(options)
  const attribute = options.attribute ?? 'lazy'
  // Letters, digits and `_` only: the hook filter finds the key with `\b`, which `$` would defeat.
  if (!/^[A-Z_]\w*$/i.test(attribute))
    throw new Error(`[lazy-modules] option \`attribute\` must be letters, digits and \`_\`, starting with a letter or \`_\`; got ${JSON.stringify(attribute)}.`)
  for (const [key, value] of Object.entries(options.retry ?? {})) {
    if (!Number.isFinite(value) || value < (key === 'attempts' ? 1 : 0))
      throw new Error(`[lazy-modules] option \`retry.${key}\` must be a number of at least ${key === 'attempts' ? 1 : 0}, got ${JSON.stringify(value)}.`)
  }
  if (options.compression && options.compression !== 'store' && options.compression !== 'deflate')
    throw new Error(`[lazy-modules] option \`compression\` must be 'store' or 'deflate', got ${JSON.stringify(options.compression)}.`)
  const view = typeof options.report === 'object' ? options.report : {}
  return {
    modules: { ...options.modules },
    attribute,
    manifest: options.manifest ?? 'lazy-manifest.json',
    archives: options.archives || undefined,
    compression: options.compression ?? 'store',
    keepLooseChunks: options.keepLooseChunks ?? false,
    integrity: options.integrity ?? false,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    // `report: true` and no `report` are the defaults; `false` turns every view off.
    report: options.report === false || (options.report === undefined && host.compressedSizes === false)
      ? { console: false, json: false, html: false, brotli: false, baseline: false }
      : { console: view.console ?? true, json: view.json ?? 'lazy-report.json', html: view.html ?? 'lazy-report.html', brotli: view.brotli ?? true, baseline: view.baseline ? resolve(options.root ?? fallbackRoot, view.baseline) : false },
    budgets: resolveBudgets(options.budgets),
    dts: options.dts === false ? false : resolve(options.root ?? fallbackRoot, typeof options.dts === 'string' ? options.dts : 'lazy-modules.d.ts'),
    root: resolve(options.root ?? fallbackRoot),
  }
}

/**
 * Whether to make a report at all: a view is on, or a budget must be checked. Here, beside the
 * options, so that a build without a report never loads the report's code.
 */
export function reportWanted({ views, budgets }: { views: ResolvedReportOptions, budgets: ResolvedBudget[] }): boolean {
  return views.console || !!views.json || !!views.html || budgets.length > 0
}
