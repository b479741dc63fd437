// What a report becomes in a build, as data: the table to print, the files to emit, the warnings and
// the failure. The bundle stage prints, emits, warns and fails with them.
import type { ResolvedBudget } from './budgets'
import type { Report } from './types'
import { budgetFailure, unmatchedBudgets } from './budgets'
import { formatTable, renderHtml } from './view'

export interface ResolvedReportOptions {
  console: boolean
  json: string | false
  html: string | false
  brotli: boolean
  /** An absolute path: a report JSON, or a folder built earlier. */
  baseline: string | false
}

export interface ReportOutputs {
  /** The table for the build log, with `report.console`. */
  table?: string
  /** `lazy-report.json` and `lazy-report.html`, under the names the options give. */
  files: { fileName: string, source: string }[]
  warnings: string[]
  /** Why the build fails: a budget is exceeded. */
  failure?: string
}

/** `started`: when the build began the report (`performance.now()`), for the table to state what it cost. */
export function reportOutputs(report: Report, { views, budgets, started }: { views: ResolvedReportOptions, budgets: ResolvedBudget[], started?: number }): ReportOutputs {
  const files: ReportOutputs['files'] = []
  if (views.json)
    files.push({ fileName: views.json, source: `${JSON.stringify(report, null, 2)}\n` })
  if (views.html)
    files.push({ fileName: views.html, source: renderHtml(report) })
  return {
    table: views.console ? formatTable(report, { html: views.html, took: started === undefined ? undefined : performance.now() - started }) : undefined,
    files,
    warnings: unmatchedBudgets(report, budgets),
    failure: budgetFailure(report),
  }
}
