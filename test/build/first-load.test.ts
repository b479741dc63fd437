// The first load is sacred (issue 12): what the plugin adds to an app's first load, against the same
// app written with `import.meta.glob`, in exact brotli bytes, at 1 and 100 registered modules. The
// fixture and the measure are bench/first-load.mjs's; the plugin runs from source.
import { init } from 'es-module-lexer'
import { beforeAll, describe, expect, it } from 'vitest'
import { measure } from '../../bench/first-load.mjs'
import plugin from '../../src/vite'

/**
 * The product budgets (issue 12, DESIGN.md), per registered module and fixed, for an app that calls
 * `importModule`. `everyLookUp`: a ceiling for an app that uses every look-up (1,240 B when set), so
 * that what a bundler cannot drop does not grow unseen.
 */
const BUDGET = { perModule: 15, fixed: 1_000, everyLookUp: 1_300 }
/**
 * With `integrity: true` the first load carries every digest and all of the plugin's code (README,
 * 5,767 B at one module when set): a ceiling, so that it does not grow unseen, and still one JS file.
 */
const INTEGRITY_CEILING = 6_000

describe('what the plugin adds to the first load', () => {
  const rows: { n: number, added: number, addedAll: number, pluginJs: number, globJs: number }[] = []
  let strict: { added: number, js: number } | undefined
  beforeAll(async () => {
    await init
    for (const n of [1, 100]) {
      const [withPlugin, all, glob] = [await measure(n, 'plugin', plugin as any), await measure(n, 'all', plugin as any), await measure(n, 'glob')]
      rows.push({ n, added: withPlugin.bytes - glob.bytes, addedAll: all.bytes - glob.bytes, pluginJs: withPlugin.js.length, globJs: glob.js.length })
      if (n === 1) {
        const integrity = await measure(n, 'integrity', plugin as any)
        strict = { added: integrity.bytes - glob.bytes, js: integrity.js.length }
      }
    }
  }, 180_000)

  it(`costs at most ${BUDGET.perModule} B brotli a registered module more than a glob entry`, () => {
    const [one, hundred] = rows
    expect((hundred.added - one.added) / (hundred.n - one.n)).toBeLessThanOrEqual(BUDGET.perModule)
  })

  it(`costs at most ${BUDGET.fixed} B brotli fixed`, () => {
    const [one, hundred] = rows
    const perModule = (hundred.added - one.added) / (hundred.n - one.n)
    expect(one.added - perModule * one.n).toBeLessThanOrEqual(BUDGET.fixed)
  })

  it(`costs at most ${BUDGET.everyLookUp} B brotli with every look-up used`, () => {
    expect(rows[0].addedAll).toBeLessThanOrEqual(BUDGET.everyLookUp)
  })

  it('adds no start-up request: as many JS files in the first load as the glob app', () => {
    for (const row of rows)
      expect(row.pluginJs, `N = ${row.n}`).toBe(row.globJs)
  })

  it(`with \`integrity: true\`, costs at most ${INTEGRITY_CEILING} B brotli at one module, in as many JS files as the glob app`, () => {
    expect(strict!.added).toBeLessThanOrEqual(INTEGRITY_CEILING)
    expect(strict!.js).toBe(rows[0].globJs)
  })

  // Rolldown puts its runtime helpers in a chunk of their own when the entry and a lazy chunk both
  // need one: the recovery chunk's import() must not make it need one (src/runtime/recovery.ts).
  it('adds no start-up request to an app whose first load needs the bundler\'s CommonJS helpers', async () => {
    const [withPlugin, glob] = [await measure(1, 'plugin', plugin as any, { commonjs: true }), await measure(1, 'glob', undefined, { commonjs: true })]
    expect(withPlugin.js).toHaveLength(glob.js.length)
  }, 60_000)
})
