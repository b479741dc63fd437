// How a report is shown: a compact table for the build log, and a self-contained HTML page (inline
// CSS and JS, no request of any kind) with a picture of the bundle and sortable tables.
import type { Report, ReportFile, Sizes } from './types'
import { ADVICE_STYLE, adviceHtml } from './advice-view'
import { DIFF_STYLE, diffHtml, formatDelta } from './diff'
import { formatSize, plural, PLUGIN_LAZY_NOTE } from './format'
import { BROTLI_QUALITY, sumOf } from './sizes'
import { TREEMAP_STYLE, treemapHtml } from './treemap'

/**
 * Compact enough for a build log: the largest `maxRows` modules, the rest counted. `took`: the
 * report's own milliseconds in a build, stated so that its cost is never hidden.
 */
export function formatTable(report: Report, { maxRows = 15, html = false as string | false, took = undefined as number | undefined } = {}): string {
  const sizes = (size: Sizes | null) => size ? [formatSize(size.raw), formatSize(size.gzip), formatSize(size.brotli)] : ['–', '–', '–']
  const count = (files: string[]) => files.length === 1 ? files[0] : plural(files.length, 'file')
  const initial = report.initial
  const rows: string[][] = [
    ['', 'file', 'raw', 'gzip', 'brotli', 'loads', 'saved'],
    ['first load JS', count(initial.files.filter(file => !file.endsWith('.css'))), ...sizes(initial.js), '', ''],
    ['first load CSS', count(initial.files.filter(file => file.endsWith('.css'))), ...sizes(initial.css), '', ''],
    ['first load', plural(initial.files.length, 'file'), ...sizes(initial.total), '', ''],
  ].filter(row => !row[0].startsWith('first load ') || (initial.css.raw && initial.js.raw))
  if (initial.plugin)
    rows.push(['  of which the plugin', 'its runtime and registry (estimated)', ...sizes(initial.plugin), '', ''])
  if (initial.metadata)
    rows.push(['  of which metadata', 'the app\'s own, in the first load', ...sizes(initial.metadata), '', ''])
  const modules = Object.values(report.modules).sort((a, b) => b.load.gzip - a.load.gzip || (a.name < b.name ? -1 : 1))
  for (const module of modules.slice(0, maxRows)) {
    const file = module.archive ? `${module.file} in ${report.archives[module.archive].file}` : module.eager ? `${module.file} (first load)` : module.file ?? 'external'
    rows.push([module.name, file, ...sizes(module.size), formatSize(module.load.gzip), formatSize(module.saved.gzip)])
  }
  if (modules.length > maxRows) {
    const rest = modules.slice(maxRows)
    rows.push([plural(rest.length, 'more module'), '', '', '', '', '', formatSize(rest.reduce((total, module) => total + module.saved.gzip, 0))])
  }
  for (const [name, archive] of Object.entries(report.archives))
    rows.push([`archive ${name}`, `${archive.file} (${plural(archive.modules.length, 'module')})`, ...sizes(archive.size), '', ''])
  const lazyRow = (label: string, what: string, files: string[]) => {
    if (files.length)
      rows.push([label, `${plural(files.length, 'file')}${what}`, ...sizes(sumOf(files.map(file => report.files[file].size))), '', ''])
  }
  const own = new Set(report.lazy.plugin?.files)
  lazyRow('shared lazy', ' several modules need', report.lazy.files.filter(file => report.files[file].neededBy.length > 1))
  lazyRow('other lazy', ' no module needs', report.lazy.files.filter(file => !report.files[file].neededBy.length && !own.has(file)))
  lazyRow('all lazy', '', report.lazy.files)
  if (report.lazy.plugin)
    rows.push(['  of which the plugin', `its own lazy code (${plural(own.size, 'file')})`, ...sizes(report.lazy.plugin.total), '', ''])
  const widths = rows[0].map((_, column) => Math.max(...rows.map(row => row[column].length)))
  const lines = rows.map(row => row.map((cell, column) => column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])).join('  ').trimEnd())
  return `size report\n${lines.map(line => `  ${line}`).join('\n')}\n${tableNotes(report, html, took).join('\n')}`
}

/** At most five hints: the files hold them all. */
function tableNotes(report: Report, html: string | false, took: number | undefined): string[] {
  const notes = [`loads: gzip of all a module fetches beyond the first load${report.lazy.plugin ? `, but ${PLUGIN_LAZY_NOTE}` : ''}; saved: the part only it needs. gzip -9, ${report.initial.total.brotli === null ? 'brotli not measured' : `brotli -q ${BROTLI_QUALITY}`}`]
  for (const suggestion of report.suggestions.slice(0, 5))
    notes.push(`hint: ${suggestion.message}`)
  if (report.suggestions.length > 5)
    notes.push(`${plural(report.suggestions.length - 5, 'more hint')} in the JSON and HTML reports`)
  const worth = report.advice?.from === 'build' ? report.advice.candidates.filter(candidate => !candidate.within && (candidate.verdict === 'ready' || candidate.verdict === 'async')) : []
  if (worth.length)
    notes.push(`advice: making ${worth.slice(0, 3).map(candidate => `${candidate.subject} (~${formatSize(candidate.saved.gzip)})`).join(', ')} lazy would shrink the first load; \`lazy-modules advise <dir>\` gives the edits`)
  if (report.baseline)
    notes.push(`since the baseline: first load ${formatDelta(report.baseline.initial.total)} gzip`)
  if (html)
    notes.push(`full view: ${html}`)
  if (took !== undefined)
    notes.push(`this report took ${took < 1000 ? `${Math.round(took)} ms` : `${(took / 1000).toFixed(1)} s`} of the build; \`report: false\` leaves it out`)
  return notes
}

const escape = (text: string) => text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)
const KINDS = ['raw', 'gzip', 'brotli'] as const

/** A number cell: sorts by `data-v`, shows the size. */
const size = (bytes: number | null) => `<td class="n" data-v="${bytes ?? -1}">${formatSize(bytes)}</td>`
const sizes = (value: Sizes | null) => value ? KINDS.map(kind => size(value[kind])).join('') : '<td class="n" data-v="-1">–</td>'.repeat(3)
const count = (value: number) => `<td class="n" data-v="${value}">${value}</td>`
const text = (value: string) => `<td>${escape(value)}</td>`

function table(id: string, headers: [string, 'n' | 't'][], rows: string[]): string {
  const head = headers.map(([label, type]) => `<th data-type="${type}" tabindex="0">${escape(label)}</th>`).join('')
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>${rows.map(row => `<tr>${row}</tr>`).join('\n')}</tbody></table>`
}

interface Segment { name: string, size: Sizes, kind: string, title: string }

/** Stacked bars on one scale: a segment per file, drawn for gzip here and redrawn by the page for another size. */
function bars(rows: [label: string, segments: Segment[]][]): string {
  const max = Math.max(1, ...rows.map(([, segments]) => segments.reduce((total, segment) => total + segment.size.gzip, 0)))
  return rows.map(([label, segments]) => {
    const cells = segments.map(({ name, size, kind, title }) => `<div class="seg ${kind}" style="width:${(100 * size.gzip / max).toFixed(3)}%" data-raw="${size.raw}" data-gzip="${size.gzip}" data-brotli="${size.brotli}" title="${escape(title)}"><span>${escape(name)}</span></div>`)
    const total = formatSize(segments.reduce((sum, segment) => sum + segment.size.gzip, 0))
    return `<div class="row"><div class="label">${escape(label)}</div><div class="bar">${cells.join('')}</div><div class="total">${total}</div></div>`
  }).join('\n')
}

function where(info: ReportFile, plugin: boolean): string {
  return info.kind === 'archive' ? 'archive' : info.initial ? 'first load' : info.archive ? `in archive ${info.archive}` : plugin ? 'lazy, the plugin\'s own code' : 'lazy'
}

/** The first load, the loose lazy files, and each archive beside its entries as loose files. */
function picture(report: Report): string {
  const files = Object.entries(report.files)
  const own = new Set(report.lazy.plugin?.files)
  const describe = (file: string, info: ReportFile) => `${file}\n${where(info, own.has(file))}: ${KINDS.map(kind => `${formatSize(info.size[kind])} ${kind}`).join(', ')}${info.neededBy.length ? `\nneeded by ${info.neededBy.join(', ')}` : ''}`
  const segment = (file: string, info: ReportFile, kind: string): Segment => ({ name: file.split('/').pop()!, size: info.size, kind: `${kind}${info.kind === 'css' ? ' css' : ''}`, title: describe(file, info) })
  return bars([
    ['first load', report.initial.files.map(file => segment(file, report.files[file], 'initial'))],
    ['lazy, loose', files.filter(([, info]) => info.kind !== 'archive' && !info.initial && !info.archive).map(([file, info]) => segment(file, info, info.neededBy.length ? 'lazy' : own.has(file) ? 'plugin' : 'other'))],
    ...Object.entries(report.archives).flatMap(([name, archive]): [string, Segment[]][] => [
      [`archive ${name}`, [segment(archive.file, report.files[archive.file], 'archived')]],
      [`  its entries, loose`, archive.entries.map(entry => segment(entry, report.files[entry], 'entry'))],
    ]),
  ])
}

function cards(report: Report): string {
  const card = (label: string, value: Sizes, note: string) => `<div class="card"><div class="k">${escape(label)}</div><div class="v">${formatSize(value.gzip)} <small>gzip</small></div><div class="note">${escape(note)}</div></div>`
  const { initial, lazy } = report
  const change = report.baseline ? `<div class="delta ${(report.baseline.initial.total.gzip ?? 0) > 0 ? 'up' : 'down'}">${escape(formatDelta(report.baseline.initial.total))} since the baseline</div>` : ''
  return [
    card('first load', initial.total, `${plural(initial.files.length, 'file')}: JS ${formatSize(initial.js.gzip)}, CSS ${formatSize(initial.css.gzip)}`).replace(/<\/div>$/, `${change}</div>`),
    card('lazy', lazy.total, `${plural(lazy.files.length, 'file')}, ${plural(Object.keys(report.modules).length, 'module')}${lazy.plugin ? `; of which the plugin's own ${formatSize(lazy.plugin.total.gzip)}` : ''}`),
    ...Object.entries(report.archives).map(([name, archive]) => card(`archive ${name}`, archive.size, `${plural(archive.entries.length, 'entry', 'entries')}; ${formatSize(archive.loose.gzip)} gzip as loose files`)),
  ].join('\n')
}

/** The tables of modules, hints, budgets, archives and files; a section without rows is left out. */
function tables(report: Report): string {
  const modules = Object.values(report.modules).map(module => [
    text(module.name),
    text(module.eager ? 'first load' : module.archive ? `archive ${module.archive}` : module.file ? 'lazy' : 'external'),
    text(module.file ?? '–'),
    sizes(module.size),
    size(module.load.gzip),
    size(module.saved.gzip),
    count(module.loads.length),
  ].join(''))
  const hints = report.suggestions.map(hint => [text(hint.kind), text(hint.subject), size(hint.bytes), text(hint.message)].join(''))
  const budgets = report.budgets.map(result => [text(result.budget), text(result.subject), text(result.kind), size(result.limit), size(result.actual), `<td class="${result.ok ? 'ok' : 'over'}">${result.ok ? 'ok' : `over by ${formatSize(result.actual - result.limit)}`}</td>`].join(''))
  const archives = Object.entries(report.archives).map(([name, archive]) => [text(name), text(archive.file), count(archive.modules.length), sizes(archive.size), sizes(archive.loose)].join(''))
  const own = new Set(report.lazy.plugin?.files)
  const files = Object.entries(report.files).map(([file, info]) => [text(file), text(info.kind), text(where(info, own.has(file))), sizes(info.size), text(info.neededBy.join(', '))].join(''))
  return `<h2>Lazy modules</h2>
<p class="meta">Sizes of the module's own chunk; <b>loads</b>: everything opening it fetches beyond the first load${report.lazy.plugin ? `, but ${escape(PLUGIN_LAZY_NOTE)}` : ''}; <b>saved</b>: the part no other lazy module needs.</p>
${table('modules', [['name', 't'], ['where', 't'], ['file', 't'], ['raw', 'n'], ['gzip', 'n'], ['brotli', 'n'], ['loads (gzip)', 'n'], ['saved (gzip)', 'n'], ['files', 'n']], modules)}
<h2>Hints</h2>
${hints.length ? table('hints', [['kind', 't'], ['about', 't'], ['bytes', 'n'], ['what to do', 't']], hints) : '<p class="empty">None: the numbers suggest nothing.</p>'}
${budgets.length ? `<h2>Budgets</h2>\n${table('budgets', [['budget', 't'], ['what', 't'], ['size', 't'], ['limit', 'n'], ['actual', 'n'], ['result', 't']], budgets)}` : ''}
${archives.length ? `<h2>Archives</h2>\n${table('archives', [['name', 't'], ['file', 't'], ['modules', 'n'], ['raw', 'n'], ['gzip', 'n'], ['brotli', 'n'], ['loose raw', 'n'], ['loose gzip', 'n'], ['loose brotli', 'n']], archives)}` : ''}
<h2>Files</h2>
${table('files', [['file', 't'], ['type', 't'], ['where', 't'], ['raw', 'n'], ['gzip', 'n'], ['brotli', 'n'], ['needed by', 't']], files)}`
}

export function renderHtml(report: Report): string {
  const brotli = report.initial.total.brotli !== null
  // `<` escaped so no string in the data can close the script element.
  const data = JSON.stringify(report).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Size report · lazy modules · ${escape(report.buildId)}</title>
<style>
${STYLE}</style>
</head>
<body>
<h1>Size report</h1>
<p class="meta">build <code>${escape(report.buildId)}</code> · gzip level 9, ${brotli ? `brotli quality ${BROTLI_QUALITY}` : 'brotli not measured'} · hints assume ~${report.requestOverhead} B per request</p>
<div class="cards">
${cards(report)}
</div>
${report.baseline ? `<section id="diff-section">\n${diffHtml(report.baseline)}\n</section>` : ''}
<section id="treemap-section">
${treemapHtml(report.composition)}
</section>
<section id="advice-section">
${adviceHtml(report.advice, report.initial.js.gzip)}
</section>
<h2>The bundle</h2>
<p class="legend"><span><i class="initial"></i>first load</span><span><i class="lazy"></i>lazy</span>${report.lazy.plugin ? '<span><i class="plugin"></i>the plugin\'s own lazy code</span>' : ''}<span><i class="other"></i>lazy, no module needs it</span><span><i class="archived"></i>archive</span><span><i class="entry"></i>archive entry, as a loose file</span><span><i class="lazy css"></i>CSS (striped)</span>
<label>size <select id="metric"><option value="raw">raw</option><option value="gzip" selected>gzip</option><option value="brotli"${brotli ? '' : ' disabled'}>brotli</option></select></label></p>
<div id="bars">
${picture(report)}
</div>
${tables(report)}
<script type="application/json" id="lazy-report">${data}</script>
<script>
${SCRIPT}</script>
</body>
</html>
`
}

const STYLE = `:root { --initial: #d9534f; --lazy: #3b82c4; --archived: #3f9b5a; --entry: #9fd0ab; --other: #9aa0a6; --plugin: #7b61c4; font: 14px/1.45 system-ui, sans-serif; color: #1d1f21; }
body { margin: 24px auto; max-width: 1180px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 } h2 { font-size: 17px; margin: 28px 0 8px }
.meta { color: #5f6368 } code { font-size: 13px }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0 }
.card { border: 1px solid #dadce0; border-radius: 8px; padding: 10px 14px; min-width: 180px }
.card .k { color: #5f6368; font-size: 12px; text-transform: uppercase; letter-spacing: .04em } .card .v { font-size: 22px } .card .note { color: #5f6368; font-size: 12px }
.legend span { display: inline-block; margin-right: 14px } .legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px; vertical-align: -1px }
.row { display: grid; grid-template-columns: 170px 1fr 90px; align-items: center; gap: 10px; margin: 6px 0 }
.label { white-space: pre; color: #3c4043; overflow: hidden; text-overflow: ellipsis } .total { text-align: right; font-variant-numeric: tabular-nums }
.bar { display: flex; height: 30px; background: #f1f3f4; border-radius: 4px; overflow: hidden }
.seg { box-sizing: border-box; border-right: 1px solid #fff; overflow: hidden; color: #fff; font-size: 11px; padding: 7px 4px; white-space: nowrap; text-overflow: ellipsis; min-width: 2px }
.seg span { pointer-events: none } .seg:hover { filter: brightness(1.15) }
.initial { background: var(--initial) } .lazy { background: var(--lazy) } .archived { background: var(--archived) } .entry { background: var(--entry); color: #1d1f21 } .other { background: var(--other) } .plugin { background: var(--plugin) }
.css { background-image: repeating-linear-gradient(45deg, rgba(255,255,255,.25) 0 4px, transparent 4px 8px) }
table { border-collapse: collapse; width: 100%; font-size: 13px }
th, td { border-bottom: 1px solid #e8eaed; padding: 5px 8px; text-align: left; vertical-align: top }
th { background: #f8f9fa; cursor: pointer; user-select: none; white-space: nowrap; position: sticky; top: 0 }
th[aria-sort=ascending]::after { content: " ▲" } th[aria-sort=descending]::after { content: " ▼" }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap }
td.over { color: #b3261e; font-weight: 600 } td.ok { color: #3f9b5a }
.empty { color: #5f6368 }
${TREEMAP_STYLE}${ADVICE_STYLE}${DIFF_STYLE}`

/** Redraws the bars for another size, and sorts a table by a clicked header. */
const SCRIPT = `const format = bytes => bytes < 1000 ? bytes + ' B' : bytes < 1e6 ? (bytes / 1e3).toFixed(2) + ' kB' : (bytes / 1e6).toFixed(2) + ' MB'
const metric = document.getElementById('metric')
function draw() {
  const kind = metric.value
  const bars = [...document.querySelectorAll('.bar')]
  const totals = bars.map(bar => [...bar.children].reduce((total, seg) => total + Number(seg.dataset[kind]), 0))
  const max = Math.max(1, ...totals)
  bars.forEach((bar, i) => {
    for (const seg of bar.children) seg.style.width = (100 * seg.dataset[kind] / max) + '%'
    bar.nextElementSibling.textContent = format(totals[i])
  })
}
function sort(th) {
  const row = th.parentNode
  const column = [...row.children].indexOf(th)
  const numeric = th.dataset.type === 'n'
  const order = th.getAttribute('aria-sort') === (numeric ? 'descending' : 'ascending') ? (numeric ? 'ascending' : 'descending') : (numeric ? 'descending' : 'ascending')
  for (const other of row.children) other.removeAttribute('aria-sort')
  th.setAttribute('aria-sort', order)
  const body = th.closest('table').tBodies[0]
  const key = tr => numeric ? Number(tr.children[column].dataset.v) : tr.children[column].textContent
  const sign = order === 'ascending' ? 1 : -1
  const rows = [...body.rows].sort((a, b) => { const x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * sign })
  body.append(...rows)
}
for (const th of document.querySelectorAll('th')) {
  th.addEventListener('click', () => sort(th))
  th.addEventListener('keydown', event => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); sort(th) } })
}
metric.addEventListener('change', draw)
draw()
`
