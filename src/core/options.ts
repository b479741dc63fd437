import type { Options } from '../types'
import type { ResolvedReportOptions } from './report'
import type { ResolvedBudget } from './report-budgets'
import { resolve } from 'node:path'
import { DEFAULT_RETRY } from '../contract'
import { resolveBudgets } from './report-budgets'

export interface ResolvedOptions {
  modules: Record<string, string>
  attribute: string
  manifest: string | false
  archives: Record<string, string[]> | true | undefined
  compression: 'store' | 'deflate'
  keepLooseChunks: boolean
  retry: { attempts: number, delay: number, maxDelay: number }
  report: ResolvedReportOptions
  budgets: ResolvedBudget[]
  root: string
}

/**
 * `host.compressedSizes: false` is the bundler's own "do not compress to measure" switch (Vite's
 * `build.reportCompressedSize`): the size report follows it unless `report` is set explicitly.
 */
export function resolveOptions(options: Options = {}, fallbackRoot = process.cwd(), host: { compressedSizes?: boolean } = {}): ResolvedOptions {
  const attribute = options.attribute ?? 'lazy'
  // Letters, digits and `_` only: the hook filter finds the key with `\b`, which `$` would defeat.
  if (!/^[A-Z_]\w*$/i.test(attribute))
    throw new Error(`[lazy-modules] option \`attribute\` must be letters, digits and \`_\`, starting with a letter or \`_\`; got ${JSON.stringify(attribute)}.`)
  for (const [name, source] of Object.entries(options.modules ?? {})) {
    if (typeof source !== 'string' || !source)
      throw new Error(`[lazy-modules] option \`modules[${JSON.stringify(name)}]\` must be a non-empty string.`)
    if (name.split('*').length > 2)
      throw new Error(`[lazy-modules] module name pattern ${JSON.stringify(name)} may hold one \`*\` at most.`)
  }
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
    retry: { ...DEFAULT_RETRY, ...options.retry },
    // `report: true` and no `report` are the defaults; `false` turns every view off.
    report: options.report === false || (options.report === undefined && host.compressedSizes === false)
      ? { console: false, json: false, html: false, brotli: false }
      : { console: view.console ?? true, json: view.json ?? 'lazy-report.json', html: view.html ?? 'lazy-report.html', brotli: view.brotli ?? true },
    budgets: resolveBudgets(options.budgets),
    root: resolve(options.root ?? fallbackRoot),
  }
}
