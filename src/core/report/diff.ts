// A report against an earlier one: the change in the first load and in what each lazy module loads,
// and the files that are new or gone. Chunk names carry content hashes, so a file is matched by its
// name, else by its name without the hash when one file of that name is on each side.
import type { Report, ReportDiff, Sizes, SizeDelta } from './types'
import { formatSize, plural, PLUGIN_LAZY_NOTE } from './format'

/** `before` may be a report of an older version: only the fields every version has are read. */
export function diffReports(before: Report, after: Report, from: string): ReportDiff {
  const modules: ReportDiff['modules'] = {}
  for (const name of [...new Set([...Object.keys(before.modules), ...Object.keys(after.modules)])].sort()) {
    const [was, is] = [before.modules[name]?.load ?? null, after.modules[name]?.load ?? null]
    const delta = deltaOf(was, is)
    modules[name] = { ...delta, status: !was ? 'added' : !is ? 'removed' : delta.raw || delta.gzip ? 'changed' : 'same' }
  }
  return {
    from,
    buildId: before.buildId,
    initial: {
      js: deltaOf(before.initial.js, after.initial.js),
      css: deltaOf(before.initial.css, after.initial.css),
      total: deltaOf(before.initial.total, after.initial.total),
    },
    modules,
    files: matchFiles(before, after),
  }
}

export function deltaOf(before: Sizes | null, after: Sizes | null): SizeDelta {
  const minus = (kind: keyof Sizes) => before && after && before[kind] !== null && after[kind] !== null ? after[kind]! - before[kind]! : null
  const gzip = minus('gzip')
  return { before, after, raw: minus('raw'), gzip, brotli: minus('brotli'), percent: gzip !== null && before!.gzip ? gzip / before!.gzip * 100 : null }
}

/** `assets/index-DJmrR4Cz.js` → `assets/index.js`: Vite's and Rollup's `-[hash]` of 8 characters. */
export function unhashed(file: string): string {
  return file.replace(/-[\w-]{8}(\.[^./]+)$/, '$1')
}

function matchFiles(before: Report, after: Report): ReportDiff['files'] {
  const removed = new Set(Object.keys(before.files).filter(file => !(file in after.files)))
  const added = new Set(Object.keys(after.files).filter(file => !(file in before.files)))
  const pairs: [was: string, is: string][] = Object.keys(after.files).filter(file => file in before.files).map(file => [file, file])
  const byStem = (files: Set<string>) => {
    const stems = new Map<string, string[]>()
    files.forEach(file => stems.set(unhashed(file), [...stems.get(unhashed(file)) ?? [], file]))
    return stems
  }
  const [old, now] = [byStem(removed), byStem(added)]
  for (const [stem, files] of now) {
    if (files.length === 1 && old.get(stem)?.length === 1) {
      pairs.push([old.get(stem)![0], files[0]])
      removed.delete(old.get(stem)![0])
      added.delete(files[0])
    }
  }
  const changed = pairs
    .map(([was, file]) => ({ file, was, ...deltaOf(before.files[was].size, after.files[file].size) }))
    .filter(change => change.raw !== 0)
    .sort((a, b) => Math.abs(b.gzip!) - Math.abs(a.gzip!) || (a.file < b.file ? -1 : 1))
  return {
    added: [...added].sort().map(file => ({ file, size: after.files[file].size })),
    removed: [...removed].sort().map(file => ({ file, size: before.files[file].size })),
    changed,
  }
}

const signed = (bytes: number | null) => bytes === null ? '–' : bytes > 0 ? `+${formatSize(bytes)}` : bytes < 0 ? `−${formatSize(-bytes)}` : '0 B'
const percent = (value: number | null) => value === null ? '' : ` (${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(1)}%)`
/** `+1.20 kB (+3.4%)`, `−90.20 kB (−75.0%)`, `new`, `removed`. */
export function formatDelta(delta: SizeDelta): string {
  return !delta.before ? 'new' : !delta.after ? 'removed' : `${signed(delta.gzip)}${percent(delta.percent)}`
}

function rows(diff: ReportDiff, most: number): [label: string, delta: SizeDelta][] {
  const moved = Object.entries(diff.modules).filter(([, module]) => module.status !== 'same')
    .sort((a, b) => Math.abs(b[1].gzip ?? b[1].after?.gzip ?? b[1].before!.gzip) - Math.abs(a[1].gzip ?? a[1].after?.gzip ?? a[1].before!.gzip) || (a[0] < b[0] ? -1 : 1))
  const css = diff.initial.css.before?.raw || diff.initial.css.after?.raw
  return [
    ['first load', diff.initial.total],
    ...css ? [['  JS', diff.initial.js], ['  CSS', diff.initial.css]] as [string, SizeDelta][] : [],
    ...moved.slice(0, most).map(([name, delta]): [string, SizeDelta] => [name, delta]),
  ]
}

function counts(diff: ReportDiff): string {
  const modules = Object.values(diff.modules)
  const changed = modules.filter(module => module.status === 'changed').length
  const added = modules.filter(module => module.status === 'added').length
  const removed = modules.filter(module => module.status === 'removed').length
  return `lazy modules: ${added} new, ${removed} removed, ${changed} changed; files: ${diff.files.added.length} new, ${diff.files.removed.length} removed, ${diff.files.changed.length} changed`
}

/** For a terminal: before, after and the change, gzip; modules that changed most first. */
export function formatDiff(diff: ReportDiff, most = 15): string {
  const table = [['', 'before', 'after', 'change'], ...rows(diff, most).map(([label, delta]) => [label, formatSize(delta.before?.gzip ?? null), formatSize(delta.after?.gzip ?? null), formatDelta(delta)])]
  const hidden = Object.values(diff.modules).filter(module => module.status !== 'same').length - most
  const widths = table[0].map((_, column) => Math.max(...table.map(row => row[column].length)))
  const lines = table.map(row => row.map((cell, column) => column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column])).join('  ').trimEnd())
  const files = [
    diff.files.added.length ? `new files: ${diff.files.added.map(({ file, size }) => `${file} ${formatSize(size.gzip)}`).join(', ')}` : '',
    diff.files.removed.length ? `removed files: ${diff.files.removed.map(({ file, size }) => `${file} ${formatSize(size.gzip)}`).join(', ')}` : '',
  ].filter(Boolean)
  return [
    `size change against build ${diff.buildId} (${diff.from}), gzip`,
    ...lines.map(line => `  ${line}`),
    ...hidden > 0 ? [`  ${plural(hidden, 'more module')} changed: see --json`] : [],
    counts(diff),
    ...files,
  ].join('\n')
}

/** A table for a pull-request comment, GitHub-flavoured Markdown. */
export function diffMarkdown(diff: ReportDiff, most = 25): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|')
  const lines = [
    '### Bundle size (gzip)',
    '',
    '| | before | after | change |',
    '| --- | ---: | ---: | ---: |',
    ...rows(diff, most).map(([label, delta], index) => {
      const name = index === 0 ? '**first load**' : label.startsWith('  ') ? label.trim() : `\`${cell(label)}\``
      const change = index === 0 ? `**${formatDelta(delta)}**` : formatDelta(delta)
      return `| ${name} | ${formatSize(delta.before?.gzip ?? null)} | ${formatSize(delta.after?.gzip ?? null)} | ${change} |`
    }),
    '',
    `${counts(diff)}. A module's size is what loading it fetches beyond the first load, without ${PLUGIN_LAZY_NOTE}. Baseline: build \`${diff.buildId}\`.`,
  ]
  if (diff.files.added.length || diff.files.removed.length || diff.files.changed.length) {
    lines.push('', `<details><summary>Files</summary>`, '', '| file | before | after | change |', '| --- | ---: | ---: | ---: |')
    for (const { file, size } of diff.files.added)
      lines.push(`| \`${cell(file)}\` | – | ${formatSize(size.gzip)} | new |`)
    for (const { file, size } of diff.files.removed)
      lines.push(`| \`${cell(file)}\` | ${formatSize(size.gzip)} | – | removed |`)
    for (const change of diff.files.changed)
      lines.push(`| \`${cell(change.file)}\` | ${formatSize(change.before!.gzip)} | ${formatSize(change.after!.gzip)} | ${formatDelta(change)} |`)
    lines.push('', '</details>')
  }
  return lines.join('\n')
}

const escape = (text: string) => text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)

/** The HTML report's section: the first load and each lazy module that changed, then the files. */
export function diffHtml(diff: ReportDiff | null): string {
  if (!diff)
    return ''
  // A lazy module that comes or goes is news, not a gain or a loss; a file that comes adds bytes.
  const tone = (delta: SizeDelta, file = false) => !delta.before ? file ? 'up' : 'news' : !delta.after ? file ? 'down' : 'news' : (delta.gzip ?? 0) > 0 ? 'up' : (delta.gzip ?? 0) < 0 ? 'down' : ''
  const row = (label: string, delta: SizeDelta, extra = '') => `<tr${extra}><td>${label}</td><td class="n" data-v="${delta.before?.gzip ?? -1}">${formatSize(delta.before?.gzip ?? null)}</td><td class="n" data-v="${delta.after?.gzip ?? -1}">${formatSize(delta.after?.gzip ?? null)}</td><td class="n delta ${tone(delta)}" data-v="${delta.gzip ?? (delta.after?.gzip ?? -(delta.before?.gzip ?? 0))}">${escape(formatDelta(delta))}</td></tr>`
  const changed = rows(diff, Number.POSITIVE_INFINITY)
  const files = [
    ...diff.files.added.map(({ file, size }) => `<tr><td>${escape(file)}</td><td class="delta up">new, ${formatSize(size.gzip)}</td></tr>`),
    ...diff.files.removed.map(({ file, size }) => `<tr><td>${escape(file)}</td><td class="delta down">removed, ${formatSize(size.gzip)}</td></tr>`),
    ...diff.files.changed.map(change => `<tr><td>${escape(change.file)}${change.was === change.file ? '' : ` <span class="note">was ${escape(change.was)}</span>`}</td><td class="delta ${tone(change)}">${escape(formatDelta(change))}</td></tr>`),
  ]
  return `<h2>Since the baseline</h2>
<p class="meta">Against build <code>${escape(diff.buildId)}</code> (${escape(diff.from)}), gzip. ${escape(counts(diff))}.</p>
<table id="diff"><thead><tr><th data-type="t" tabindex="0">what</th><th data-type="n" tabindex="0">before</th><th data-type="n" tabindex="0">after</th><th data-type="n" tabindex="0">change</th></tr></thead><tbody>
${changed.map(([label, delta], index) => row(index === 0 ? '<b>first load</b>' : escape(label), delta, index === 0 || label.startsWith('  ') ? ' class="first"' : '')).join('\n')}
</tbody></table>
${files.length ? `<details><summary>${files.length} files new, removed or changed</summary><table class="files">${files.join('')}</table></details>` : ''}`
}

export const DIFF_STYLE = `.delta.up { color: #b3261e } .delta.down { color: #137333 } .delta.news { color: #1a73e8 } #diff tr.first td { background: #f8f9fa } details { margin: 8px 0 } summary { cursor: pointer; color: #3c4043 }
.card .delta { font-size: 13px; font-weight: 600 }
`
