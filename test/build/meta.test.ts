// Names chosen by a function and metadata read at build time, through real Vite and Rollup builds:
// the metadata is in the registry and the manifest before anything loads, the size report shows it
// on its own line, and a value the build cannot read is an error at its line and column.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatTable } from '../../src/core/report'
import { buildWithRollup, buildWithVite, fixtures, tempDir } from '../helpers/build'
import { typesAppModules } from '../helpers/types-app'

/** The fixture app with widgets beside it: JS modules with a `meta` export, or a meta.json. */
function appWithWidgets(widgets: Record<string, string>) {
  const root = tempDir('lazy-meta-app-')
  cpSync(join(fixtures, 'app'), root, { recursive: true })
  for (const [file, code] of Object.entries(widgets)) {
    mkdirSync(join(root, 'src/widgets', file, '..'), { recursive: true })
    writeFileSync(join(root, 'src/widgets', file), code)
  }
  return root
}

describe('metadata in a Vite build', () => {
  it('reads TypeScript modules\' literals, lists them before anything loads, and reports them apart', async () => {
    const app = tempDir('lazy-meta-types-')
    cpSync(join(fixtures, 'types-app'), app, { recursive: true })
    const built = await buildWithVite(app, { modules: typesAppModules, dts: false, report: { console: false, json: 'lazy-report.json', html: false } }, { build: { ssr: 'src/main.ts' } })
    expect(built.manifest.modules['string/replacer'].meta).toEqual({ title: 'Text replacer', keywords: ['find', 'replace'] })
    expect(built.manifest.modules['widgets/clock'].meta).toEqual({ label: 'Clock', size: [2, 1] })
    expect('meta' in built.manifest.modules['charts/bar']).toBe(false)

    const main = await built.run('main.mjs')
    expect(main.catalogue()).toEqual(['string/replacer: Text replacer'])
    expect(main.iterModules('tools/').map((info: any) => [info.name, info.meta.title])).toEqual([['tools/json', 'JSON formatter']])

    const report = JSON.parse(readFileSync(join(built.dir, 'lazy-report.json'), 'utf8'))
    const metadata = [{ label: 'Clock', size: [2, 1] }, { title: 'Text replacer', keywords: ['find', 'replace'] }, { title: 'JSON formatter', keywords: ['json'], beta: true }]
    expect(report.initial.metadata.raw).toBe(JSON.stringify(metadata).length)
    expect(formatTable(report)).toMatch(/\n {4}of which metadata +the app's own, in the first load +\d+ B +\d+ B +\d+ B\n/)
  })

  it('refuses a value only running the module could give, at its line and column with a frame', async () => {
    const root = appWithWidgets({ 'clock.js': `export const meta = {\n  title: t('clock'),\n}\nfunction t(key) { return key }\n` })
    const failure = await buildWithVite(root, { modules: { 'widgets/*': { source: 'src/widgets/*.js', meta: 'meta' } }, dts: false }).catch(error => error)
    // Vite 8 hands Rolldown's errors on in a list.
    const error = failure.errors?.[0] ?? failure
    expect(error.message).toContain('src/widgets/clock.js:2:10: The export `meta` is the module\'s metadata, read at build time without running the module, so it must be a literal: strings, numbers, booleans, null, and arrays and objects of them. It holds a call. Write the value itself; compute what depends on it where it is used.')
    expect(error.loc).toMatchObject({ file: join(root, 'src/widgets/clock.js'), line: 2, column: 9 })
    expect(error.frame).toContain(`2:   title: t('clock'),\n${' '.repeat(12)}^`)
  })
})

describe('metadata in a Rollup build', () => {
  it('reads a file beside each module and names modules by a function', async () => {
    const root = appWithWidgets({ 'clock/index.js': `export const now = () => 'noon'\n`, 'clock/meta.json': `{ "label": "Clock" }\n`, 'dial/index.js': `export const now = () => 'dial'\n`, 'dial/meta.json': `{ "label": "Dial" }\n` })
    const modules = { 'widgets/*': { source: 'src/widgets/*/index.js', meta: './meta.json', name: (_path: string, name: string) => name.replace('widgets/', 'w/') } }
    const built = await buildWithRollup(root, 'src/main.js', { modules, dts: false })
    const main = await built.run('main.js')
    expect(main.iterModules('w/').map((info: any) => [info.name, info.meta])).toEqual([['w/clock', { label: 'Clock' }], ['w/dial', { label: 'Dial' }]])
    expect(await (await main.importModule('w/dial')).now()).toBe('dial')
  })

  it('refuses a missing metadata export, naming the file', async () => {
    const root = appWithWidgets({ 'clock.js': `export const title = 'Clock'\n` })
    await expect(buildWithRollup(root, 'src/main.js', { modules: { 'widgets/*': { source: 'src/widgets/*.js', meta: 'meta' } }, dts: false }))
      .rejects.toThrow('src/widgets/clock.js: has no `export const meta = { … }`, where the metadata is read from. Add it, with a literal value.')
  })
})
