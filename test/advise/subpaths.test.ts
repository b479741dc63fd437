// Named imports from a package's index (`import { format, addDays } from 'date-fns'`): a lazy import
// keeps every export of what it imports, so the advice imports each name from its own module of the
// package (`date-fns/format`), where the package has one, and the lazy chunks stay the size of what
// left the first load. Marking the index itself would put all of date-fns in the lazy chunk.
import type { Report } from '../../src/core/report'
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildWithVite, tempDir } from '../helpers/build'
import { followAdvice } from './heavy-app'

const MAIN = `import { format, addDays as later } from 'date-fns'

document.querySelector('button').addEventListener('click', () => {
  document.body.append(format(later(new Date(0), 1), 'yyyy-MM-dd'))
})
`

function app(main: string): string {
  const root = tempDir('lazy-subpaths-')
  writeFileSync(join(root, 'index.html'), '<!doctype html><html><body><button>go</button><script type="module" src="/main.js"></script></body></html>\n')
  writeFileSync(join(root, 'main.js'), main)
  symlinkSync(join(import.meta.dirname, '../../node_modules'), join(root, 'node_modules'), 'dir')
  return root
}

async function build(root: string): Promise<{ report: Report, lazyGzip: number }> {
  const built = await buildWithVite(root, { report: { console: false } })
  const report: Report = JSON.parse(readFileSync(join(built.dir, 'lazy-report.json'), 'utf8'))
  // What loading the marked modules fetches, the plugin's own lazy code aside.
  const plugin = new Set(report.lazy.plugin?.files)
  const lazyGzip = report.lazy.files.filter(file => !plugin.has(file) && file.endsWith('.js')).reduce((total, file) => total + report.files[file].size.gzip, 0)
  return { report, lazyGzip }
}

describe('advice for named imports from a package\'s index (Vite 8, date-fns)', () => {
  it('imports each name lazily from its own module of the package, and the lazy code stays the size of what the first load lost', async () => {
    const root = app(MAIN)
    const eager = await build(root)
    const candidate = eager.report.advice!.candidates.find(each => each.subject === 'date-fns')!
    expect(candidate.verdict).toMatch(/^(ready|async)$/)
    expect(candidate.importers[0].write).toBe(`import { format } from 'date-fns/format' with { lazy: 'true' }\nimport { addDays as later } from 'date-fns/addDays' with { lazy: 'true' }`)
    followAdvice(root, [candidate])
    const advised = await build(root)
    // The first load lost what the advice said, less the runtime its first marked import brings.
    expect(eager.report.initial.js.gzip - (advised.report.initial.js.gzip - advised.report.initial.plugin!.gzip)).toBeGreaterThan(0.8 * candidate.saved.gzip)
    expect(advised.lazyGzip).toBeLessThan(1.5 * candidate.saved.gzip)

    // The index marked instead: every export of date-fns goes into the lazy chunk.
    const whole = app(MAIN.replace(`from 'date-fns'`, `from 'date-fns' with { lazy: 'true' }`).replace('() => {', 'async () => {').replace('format(later(', '(await format)((await later)('))
    const marked = await build(whole)
    expect(marked.lazyGzip).toBeGreaterThan(3 * candidate.saved.gzip)
  })
})
