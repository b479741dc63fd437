// Size budgets: sizes as people write them ('150 kB'), the check of a report against them, and the
// message that fails a build over its budget with what is over, by how much, and its largest files.
import type { Budgets, SizeLimit } from '../../types'
import type { BudgetResult, Report, ReportDiff, SizeDelta, SizeKind, Sizes } from './types'
import { namePattern } from '../names'
import { formatSize, list } from './format'

export interface ResolvedBudget {
  /** `initial`, or the pattern of lazy module names. */
  budget: string
  pattern: RegExp | null
  limits: { kind: SizeKind, bytes: number }[]
}

const UNITS: Record<string, number> = { 'b': 1, '': 1, 'kb': 1e3, 'kib': 1024, 'mb': 1e6, 'mib': 1024 ** 2 }

/** `'150 kB'`, `'150kB'`, `'1.2 MB'`, `'64 KiB'` or a number: bytes. */
export function parseSize(value: number | string, where = 'size'): number {
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(value) : null
  const bytes = typeof value === 'number' ? value : match && match[2].toLowerCase() in UNITS ? Number(match[1]) * UNITS[match[2].toLowerCase()] : Number.NaN
  if (!Number.isFinite(bytes) || bytes < 0)
    throw new Error(`[lazy-modules] ${where} must be a size such as '150 kB', '1.2 MB', '64 KiB' or a number of bytes, got ${JSON.stringify(value)}.`)
  return Math.round(bytes)
}

function resolveLimit(limit: SizeLimit, where: string): ResolvedBudget['limits'] {
  if (typeof limit === 'number' || typeof limit === 'string')
    return [{ kind: 'gzip', bytes: parseSize(limit, where) }]
  const kinds = Object.keys(limit ?? {})
  if (!kinds.length || kinds.some(kind => !['raw', 'gzip', 'brotli'].includes(kind)))
    throw new Error(`[lazy-modules] ${where} must be a size or an object with raw, gzip or brotli sizes, got ${JSON.stringify(limit)}.`)
  return kinds.map(kind => ({ kind: kind as SizeKind, bytes: parseSize(limit[kind as SizeKind]!, `${where}.${kind}`) }))
}

export function resolveBudgets(budgets: Budgets = {}): ResolvedBudget[] {
  const resolved: ResolvedBudget[] = []
  if (budgets.initial !== undefined)
    resolved.push({ budget: 'initial', pattern: null, limits: resolveLimit(budgets.initial, 'option `budgets.initial`') })
  for (const [pattern, limit] of Object.entries(budgets.lazy ?? {}))
    resolved.push({ budget: pattern, pattern: namePattern(pattern), limits: resolveLimit(limit, `option \`budgets.lazy[${JSON.stringify(pattern)}]\``) })
  return resolved
}

/** Whether a report must measure brotli, whatever it shows: a budget in brotli needs it. */
export function budgetsNeedBrotli(budgets: ResolvedBudget[]): boolean {
  return budgets.some(budget => budget.limits.some(limit => limit.kind === 'brotli'))
}

export function checkBudgets(report: Report, budgets: ResolvedBudget[]): BudgetResult[] {
  return budgets.flatMap(({ budget, pattern, limits }) => {
    const subjects: [string, Sizes][] = pattern
      ? Object.values(report.modules).filter(module => pattern.test(module.name)).map(module => [module.name, module.load])
      : [['initial', report.initial.total]]
    // Brotli is measured whenever a budget asks for it, so `!` holds.
    return subjects.flatMap(([subject, size]) => limits.map(({ kind, bytes }) => ({ budget, subject, kind, limit: bytes, actual: size[kind]!, ok: size[kind]! <= bytes })))
  })
}

/** A `lazy` pattern that matches no module is most likely a typo. */
export function unmatchedBudgets(report: Report, budgets: ResolvedBudget[]): string[] {
  return budgets
    .filter(({ budget, pattern }) => pattern && !report.budgets.some(result => result.budget === budget))
    .map(({ budget }) => `size budget "${budget}" matches no lazy module; ${Object.keys(report.modules).length ? `names are ${list(Object.keys(report.modules), 5)}` : 'the build has none'}.`)
}

/** What is over budget, by how much, and its largest files; `undefined` when every budget holds. */
export function budgetFailure(report: Report): string | undefined {
  const over = report.budgets.filter(result => !result.ok)
  if (!over.length)
    return undefined
  const lines = over.map(({ budget, subject, kind, limit, actual }) => {
    const what = subject === 'initial' ? 'the first load is' : `lazy module "${subject}"${budget === subject ? '' : ` (budget "${budget}")`} loads`
    const files = subject === 'initial' ? report.initial.files : report.modules[subject].loads
    const largest = [...files].sort((a, b) => report.files[b].size[kind]! - report.files[a].size[kind]!).slice(0, 3)
    const percent = limit ? ` (+${((actual - limit) / limit * 100).toFixed(1)}%)` : ''
    return `  - ${what} ${formatSize(actual)} ${kind}, ${formatSize(actual - limit)}${percent} over its budget of ${formatSize(limit)}; largest: ${largest.map(file => `${file} ${formatSize(report.files[file].size[kind])}`).join(', ')}`
  })
  return `size budget exceeded:\n${lines.join('\n')}`
}

/** A `--budget` on growth since the baseline: `initial=+2kB`, `charts/*=+5%` (gzip). */
export interface GrowthBudget {
  spec: string
  budget: string
  pattern: RegExp | null
  bytes: number | null
  percent: number | null
}

/** The CLI's `--budget <name>=<limit>` flags: limits as in `budgets`, gzip, or growths with a `+`. */
export function parseBudgetFlags(specs: string[]): { budgets: ResolvedBudget[], growth: GrowthBudget[] } {
  const budgets: Budgets = {}
  const growth: GrowthBudget[] = []
  for (const spec of specs) {
    const at = spec.lastIndexOf('=')
    const [budget, limit] = [spec.slice(0, at).trim(), spec.slice(at + 1).trim()]
    if (at < 1 || !limit)
      throw new Error(`--budget ${spec}: write <what>=<limit>, where <what> is initial or a pattern of lazy module names: --budget initial=150kB, --budget 'charts/*=80kB', --budget initial=+2kB.`)
    const pattern = budget === 'initial' ? null : namePattern(budget)
    if (limit.startsWith('+')) {
      const percent = /^\+\s*(\d+(?:\.\d+)?)\s*%$/.exec(limit)
      growth.push({ spec, budget, pattern, percent: percent ? Number(percent[1]) : null, bytes: percent ? null : parseSize(limit.slice(1), `--budget ${spec}`) })
    }
    else if (pattern) {
      budgets.lazy = { ...budgets.lazy, [budget]: parseSize(limit, `--budget ${spec}`) }
    }
    else {
      budgets.initial = parseSize(limit, `--budget ${spec}`)
    }
  }
  return { budgets: resolveBudgets(budgets), growth }
}

/** What grew more than its growth budget allows since the baseline; `undefined` when nothing did. */
export function growthFailure(diff: ReportDiff, growth: GrowthBudget[]): string | undefined {
  const lines = growth.flatMap(({ spec, pattern, bytes, percent }) => {
    const subjects: [string, SizeDelta][] = pattern
      ? Object.entries(diff.modules).filter(([name, module]) => pattern.test(name) && module.status !== 'removed')
      : [['the first load', diff.initial.total]]
    return subjects.flatMap(([subject, delta]) => {
      const grew = delta.gzip ?? delta.after!.gzip
      const over = percent === null ? grew > bytes! : delta.percent !== null && delta.percent > percent
      const what = pattern ? `lazy module "${subject}"` : subject
      return over ? [`  - ${what} grew by ${formatSize(grew)} gzip${delta.percent === null ? '' : ` (+${delta.percent.toFixed(1)}%)`}, more than --budget ${spec} allows`] : []
    })
  })
  return lines.length ? `size budget exceeded since the baseline:\n${lines.join('\n')}` : undefined
}
