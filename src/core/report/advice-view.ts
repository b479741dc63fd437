// How the advice reads: a table and each candidate's edit for the terminal (`lazy-modules advise`),
// and a section of the HTML report.
import type { Advice, Candidate, Report } from './types'
import { ADVICE_MIN_GZIP, RUNTIME_COST } from './advice'
import { formatSize, plural } from './format'

const escape = (text: string) => text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)

const VERDICTS: Record<Candidate['verdict'], string> = {
  'ready': 'ready',
  'async': 'ready, makes a function async',
  'start-up': 'used at start-up',
  'cannot': 'cannot be marked',
  'unknown': 'unknown',
}

function importedAt(candidate: Candidate): string {
  const at = candidate.importers.map(each => `${each.file}:${each.line}`)
  return at.length ? at.length > 2 ? `${at.slice(0, 2).join(', ')} +${at.length - 2}` : at.join(', ') : '–'
}

/** The table, then each candidate worth acting on with its edit; `most`: how many candidates. */
export function formatAdvice(report: Pick<Report, 'advice' | 'initial'>, { most = 15 } = {}): string {
  const { advice, initial } = report
  if (!advice)
    return 'no advice: the report has no module sizes. Build with unplugin-lazy-modules (its lazy-report.json holds what the build knows), or emit source maps.'
  if (!advice.candidates.length)
    return `nothing in the first load (${formatSize(initial.js.gzip)} gzip of JS) is worth making lazy: no eager import would save ${formatSize(advice.note ? RUNTIME_COST : ADVICE_MIN_GZIP)} gzip or more.`
  const shown = advice.candidates.slice(0, most)
  const share = (bytes: number) => initial.js.gzip ? ` ${Math.round(bytes / initial.js.gzip * 100)}%` : ''
  const rows = [
    ['candidate', 'saves', '', 'own', 'verdict', 'imported at'],
    ...shown.map(candidate => [
      candidate.within ? `  ${candidate.subject}` : candidate.subject,
      `~${formatSize(candidate.saved.gzip)}`,
      share(candidate.saved.gzip).trim(),
      formatSize(candidate.size.gzip),
      candidate.within ? `in ${candidate.within}` : VERDICTS[candidate.verdict],
      importedAt(candidate),
    ]),
  ]
  const widths = rows[0].map((_, column) => Math.max(...rows.map(row => row[column].length)))
  const table = rows.map(row => row.map((cell, column) => column >= 1 && column <= 3 ? cell.padStart(widths[column]) : cell.padEnd(widths[column])).join('  ').trimEnd())
  const from = advice.from === 'build' ? 'estimated from the bundler\'s rendered sizes' : 'from source maps'
  const lines = [
    `what to make lazy: the first load has ${formatSize(initial.js.gzip)} gzip of JS; gzip ${from}, largest saving first`,
    ...table.map(line => `  ${line}`),
  ]
  if (advice.candidates.length > most)
    lines.push(`  ${plural(advice.candidates.length - most, 'more candidate')} in --json`)
  if (advice.note)
    lines.push(advice.note)
  for (const candidate of shown)
    lines.push('', ...details(candidate))
  return lines.join('\n')
}

function details(candidate: Candidate): string[] {
  const within = candidate.within ? `, inside ${candidate.within} (follow one or the other)` : ''
  const rendered = candidate.rendered === null ? '' : `, ${formatSize(candidate.rendered)} as rendered`
  const lines = [`${candidate.subject}: saves ~${formatSize(candidate.saved.gzip)} gzip (own code ${formatSize(candidate.size.gzip)} gzip${rendered}, in ${plural(candidate.modules, 'module')}); ${VERDICTS[candidate.verdict]}${within}`]
  for (const each of candidate.importers) {
    lines.push(`  ${each.file}:${each.line}  ${oneLine(each.statement)}`)
    if (each.write && candidate.edits.length)
      lines.push(`  ${' '.repeat(`${each.file}:${each.line}`.length)}→ ${oneLine(each.write)}`)
    for (const line of each.first)
      lines.push(`  ${each.file}  first in ${line}`)
    for (const use of each.uses) {
      const where = `${each.file}:${use.line}`
      if (use.where === 'top level')
        lines.push(`  ${where}  ${oneLine(use.code)}  (runs at start-up)`)
      else if (use.after)
        lines.push(`  ${where}  ${oneLine(use.code)}  →  ${oneLine(use.after)}`)
    }
  }
  lines.push(`  ${candidate.message}`)
  return lines
}

const oneLine = (code: string) => {
  const flat = code.replace(/\s*\n\s*/g, ' ')
  return flat.length > 100 ? `${flat.slice(0, 97)}…` : flat
}

/** The HTML section: a table of candidates, each with its imports and edit. */
export function adviceHtml(advice: Advice | null, initialJsGzip: number): string {
  if (!advice)
    return '<h2>What to make lazy</h2>\n<p class="empty">No module sizes: this report was made from built files without source maps.</p>'
  if (!advice.candidates.length)
    return `<h2>What to make lazy</h2>\n<p class="empty">Nothing: no eager import of the first load would save ${formatSize(advice.note ? RUNTIME_COST : ADVICE_MIN_GZIP)} gzip or more by being lazy.</p>`
  const rows = advice.candidates.map((candidate) => {
    const percent = initialJsGzip ? `${Math.round(candidate.saved.gzip / initialJsGzip * 100)}%` : ''
    const edit = candidate.importers.map(each => [
      `<div><code>${escape(each.file)}:${each.line}</code> ${candidate.edits.length && each.write ? `<code class="edit">${escape(oneLine(each.write))}</code>` : `<code>${escape(oneLine(each.statement))}</code>`}</div>`,
      ...each.first.map(line => `<div class="use">first in ${escape(line.replace(/: .*/, ''))}: <code class="edit">${escape(line.replace(/^[^:]*: /, ''))}</code></div>`),
      ...each.uses.filter(use => use.where === 'top level' || use.after).map(use => use.where === 'top level'
        ? `<div class="use early"><code>${escape(each.file)}:${use.line}</code> <code>${escape(oneLine(use.code))}</code> runs at start-up</div>`
        : `<div class="use"><code>${escape(each.file)}:${use.line}</code> <code class="edit">${escape(oneLine(use.after!))}</code></div>`),
    ].join('')).join('')
    return `<tr class="${candidate.within ? 'within' : ''}"><td>${escape(candidate.subject)}${candidate.within ? `<div class="note">in ${escape(candidate.within)}</div>` : ''}</td><td><span class="verdict ${candidate.verdict}">${escape(VERDICTS[candidate.verdict])}</span></td><td class="n" data-v="${candidate.saved.gzip}">~${formatSize(candidate.saved.gzip)} <small>${percent}</small></td><td class="n" data-v="${candidate.size.gzip}">${formatSize(candidate.size.gzip)}</td><td>${edit}<div class="note">${escape(candidate.message)}</div></td></tr>`
  })
  return `<h2>What to make lazy</h2>
<p class="meta">Eager imports of the first load, by what the first load would lose if each were a marked import (gzip, ${advice.from === 'build' ? 'estimated from the bundler\'s rendered sizes' : 'from source maps'}; code that other start-up code still needs is not counted). <code>lazy-modules advise dist/</code> prints the same.${advice.note ? ` ${escape(advice.note)}` : ''}</p>
<table id="advice"><thead><tr><th data-type="t" tabindex="0">candidate</th><th data-type="t" tabindex="0">verdict</th><th data-type="n" tabindex="0">saves (gzip)</th><th data-type="n" tabindex="0">own code</th><th data-type="t" tabindex="0">the edit</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`
}

export const ADVICE_STYLE = `.verdict { border-radius: 10px; padding: 1px 8px; font-size: 12px; white-space: nowrap } .verdict.ready, .verdict.async { background: #e6f4ea; color: #137333 } .verdict.start-up, .verdict.cannot { background: #fce8e6; color: #b3261e } .verdict.unknown { background: #f1f3f4; color: #5f6368 }
#advice code { font-size: 12px } code.edit { background: #e6f4ea } .use { margin-left: 14px } .use.early code:last-of-type { background: #fce8e6 } .note { color: #5f6368; font-size: 12px } tr.within td { color: #5f6368 }
`
