// The built package installed in an app's node_modules (test/helpers/package.ts), as the app's own
// tools load it: its Vitest suite, and `vite build` with a CommonJS config.
import type { BuiltPackage } from '../helpers/package'
import { execFile } from 'node:child_process'
import { cpSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixtures, tempDir } from '../helpers/build'
import { legsOf } from '../helpers/matrix'
import { buildPackage, installPackage } from '../helpers/package'

const nodeModules = resolve(import.meta.dirname, '../../node_modules')

let pkg: BuiltPackage
beforeAll(async () => {
  pkg = await buildPackage()
})
afterAll(() => pkg?.remove())

/** Runs a tool's bin with Node in `cwd`, without this test run's own Vitest settings. */
async function run(cwd: string, bin: string, args: string[]) {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(?:VITEST|VITE_|NODE_OPTIONS$|TEST$|MODE$)/.test(key))), NO_COLOR: '1' }
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(nodeModules, bin), ...args], { cwd, env, encoding: 'utf8' })
    return { ok: true, output: stdout + stderr }
  }
  catch (error: any) {
    return { ok: false, output: `${error.stdout}${error.stderr}` }
  }
}

describe('an app\'s own Vitest suite', () => {
  it('passes with the plugin in its config and nothing else (no test.server.deps.inline)', async () => {
    const project = tempDir('lazy-vitest-app-')
    cpSync(join(fixtures, 'vitest-app'), project, { recursive: true })
    installPackage(pkg, project)
    const { ok, output } = await run(project, 'vitest/vitest.mjs', ['run', '--reporter=verbose'])
    expect(output).not.toContain('virtual:')
    expect(ok, output).toBe(true)
    expect(output).toMatch(/Tests\s+4 passed \(4\)/)
  })
})

describe.each(legsOf('vite'))('a CommonJS project (no "type": "module") built by $label', ({ pkg: vite }) => {
  const modules = { 'charts/*': 'src/charts/*.js', 'locales/*': 'src/locales/*.json' }
  const options = `{ modules: ${JSON.stringify(modules)}, report: false, dts: false }`

  async function buildProject(config: string) {
    const project = tempDir('lazy-cjs-app-')
    cpSync(join(fixtures, 'app'), project, { recursive: true })
    writeFileSync(join(project, 'package.json'), '{ "name": "cjs-app", "private": true }\n')
    writeFileSync(join(project, 'vite.config.js'), config)
    installPackage(pkg, project)
    const result = await run(project, `${vite}/bin/vite.js`, ['build', '--ssr', 'src/main.js', '--outDir', 'out'])
    return { ...result, project }
  }

  async function expectRuns(project: string) {
    // The output is ES modules in a CommonJS package: .mjs, or .js that Node recognizes by its syntax.
    const app = await import(pathToFileURL(join(project, 'out/main.js')).href).catch(() => import(pathToFileURL(join(project, 'out/main.mjs')).href))
    expect((await app.importModule('charts/pie')).kind).toBe('pie')
    expect(await app.greet('cjs')).toBe('CJS <cjs>')
  }

  it('loads the plugin from a vite.config.js written with import and export, which Vite bundles to CommonJS', async () => {
    const { ok, output, project } = await buildProject(`import LazyModules from 'unplugin-lazy-modules/vite'\n\nexport default { plugins: [LazyModules(${options})] }\n`)
    expect(ok, output).toBe(true)
    await expectRuns(project)
  })

  it('loads the plugin with require()', async () => {
    const { ok, output, project } = await buildProject(`const LazyModules = require('unplugin-lazy-modules/vite')\n\nmodule.exports = { plugins: [LazyModules(${options})] }\n`)
    expect(ok, output).toBe(true)
    await expectRuns(project)
  })
})

describe('a CommonJS project (no "type": "module") built by Rollup 4', () => {
  async function buildProject(config: string, args: string[] = []) {
    const project = tempDir('lazy-cjs-rollup-')
    cpSync(join(fixtures, 'app'), project, { recursive: true })
    writeFileSync(join(project, 'package.json'), '{ "name": "cjs-app", "private": true }\n')
    writeFileSync(join(project, 'rollup.config.js'), config)
    installPackage(pkg, project)
    return { ...await run(project, 'rollup/dist/bin/rollup', ['-c', ...args]), project }
  }
  const config = (load: string) => `${load}\n\nmodule.exports = { input: 'src/main.js', output: { dir: 'out', format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' }, plugins: [LazyModules({ modules: { 'charts/*': 'src/charts/*.js' }, report: false, dts: false }), { name: 'css', transform: (_, id) => id.endsWith('.css') ? 'export {}' : null }, { name: 'json', transform: (code, id) => id.endsWith('.json') ? \`export default \${code}\` : null }] }\n`

  it('loads the plugin with require()', async () => {
    const { ok, output, project } = await buildProject(config(`const LazyModules = require('unplugin-lazy-modules/rollup')`))
    expect(ok, output).toBe(true)
    const app = await import(pathToFileURL(join(project, 'out/main.mjs')).href)
    expect((await app.importModule('charts/pie')).kind).toBe('pie')
  })

  it('loads the plugin with import, in a config Rollup bundles to CommonJS (--bundleConfigAsCjs)', async () => {
    const { ok, output } = await buildProject(config(`import LazyModules from 'unplugin-lazy-modules/rollup'`).replace('module.exports =', 'export default'), ['--bundleConfigAsCjs'])
    expect(ok, output).toBe(true)
  })
})
