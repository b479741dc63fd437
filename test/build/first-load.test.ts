// The first load is sacred (issue 12): what the plugin adds to an app's first load, against the same
// app written with `import.meta.glob`, in exact brotli bytes, at 1 and 100 registered modules. The
// fixture and the measure are bench/first-load.mjs's; the plugin runs from source.
import { init } from 'es-module-lexer'
import { beforeAll, describe, expect, it } from 'vitest'
import { measure } from '../../bench/first-load.mjs'
import plugin from '../../src/vite'

/** The product budgets (issue 12, DESIGN.md), per registered module and fixed. */
const BUDGET = { perModule: 15, fixed: 1_000 }

describe('what the plugin adds to the first load', () => {
  const rows: { n: number, added: number, pluginJs: number, globJs: number }[] = []
  beforeAll(async () => {
    await init
    for (const n of [1, 100]) {
      const [withPlugin, glob] = [await measure(n, 'plugin', plugin as any), await measure(n, 'glob')]
      rows.push({ n, added: withPlugin.bytes - glob.bytes, pluginJs: withPlugin.js.length, globJs: glob.js.length })
    }
  }, 120_000)

  it(`costs at most ${BUDGET.perModule} B brotli a registered module more than a glob entry`, () => {
    const [one, hundred] = rows
    expect((hundred.added - one.added) / (hundred.n - one.n)).toBeLessThanOrEqual(BUDGET.perModule)
  })

  it(`costs at most ${BUDGET.fixed} B brotli fixed`, () => {
    const [one, hundred] = rows
    const perModule = (hundred.added - one.added) / (hundred.n - one.n)
    expect(one.added - perModule * one.n).toBeLessThanOrEqual(BUDGET.fixed)
  })

  it('adds no start-up request: as many JS files in the first load as the glob app', () => {
    for (const row of rows)
      expect(row.pluginJs, `N = ${row.n}`).toBe(row.globJs)
  })
})
