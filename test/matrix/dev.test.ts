// The dev server of every tested Vite (all of them with MATRIX=1): names and marked imports load
// from source files, and a file added to a glob is picked up without a restart.
import type { Leg } from '../helpers/matrix'
import { cpSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import LazyModules from '../../src/vite'
import { fixtures, tempDir } from '../helpers/build'
import { legsOf } from '../helpers/matrix'

const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json' }

describe.each(legsOf('vite'))('$label dev server', (leg: Leg) => {
  let root: string
  let server: any
  beforeAll(async () => {
    root = tempDir('lazy-dev-')
    cpSync(join(fixtures, 'app'), root, { recursive: true })
    const { createServer } = await import(leg.pkg)
    server = await createServer({ root, configFile: false, logLevel: 'silent', plugins: [LazyModules({ modules, dts: false })], server: { port: 0, ws: false } })
    await server.listen()
  })
  afterAll(() => server?.close())

  it('loads by name and marked imports from the source files', async () => {
    const app = await server.ssrLoadModule('/src/main.js')
    expect((await app.importModule('charts/pie')).kind).toBe('pie')
    expect((await app.importModule('locales/fr')).default.hello).toBe('Bonjour')
    expect(await app.greet('dev')).toBe('DEV <dev>')
  })

  it('picks up a file added to a glob, without a restart', async () => {
    writeFileSync(join(root, 'src/charts/line.js'), `export const kind = 'line'\n`)
    await expect.poll(async () => (await server.ssrLoadModule('/src/main.js')).hasModule('charts/line'), { timeout: 5000 }).toBe(true)
    expect((await (await server.ssrLoadModule('/src/main.js')).importModule('charts/line')).kind).toBe('line')
  })
})
