import type { ModuleInfo } from '../../src/types'
import { describe, expect, it, vi } from 'vitest'
import { ModuleLoadError, ModuleNotFoundError } from '../../src/runtime/errors'
import { createRuntime } from '../../src/runtime/runtime'

/** The recovery chunk: where a load goes past the bundler's first `import()`. */
const recovery = () => import('../../src/runtime/recovery').then(({ recovery }) => recovery)
import { moduleInfo } from '../helpers/manifest'

const info = (name: string, extra: Partial<ModuleInfo> = {}) =>
  moduleInfo({ name, source: `src/${name}.ts`, file: `assets/${name}.js`, size: { raw: 10, gzip: 20 }, integrity: 'sha384-x', ...extra })

function setup(names = ['charts/bar', 'charts/pie', 'locales/en', 'plugins/table']) {
  const loads = new Map<string, ReturnType<typeof vi.fn>>()
  const loaders = names.map((name): [string, () => Promise<unknown>] => {
    const load = vi.fn(async () => ({ name }))
    loads.set(name, load)
    return [name, load]
  })
  const runtime = createRuntime({ recovery, loaders, packages: names.filter(name => name.startsWith('plugins/')), facts: { buildId: 'b', root: '../', modules: names.map(name => info(name, { isPackage: name.startsWith('plugins/') })) }, base: 'https://app.test/assets/index.js' })
  return { runtime, loads }
}

describe('importModule', () => {
  it('loads a registered name once, sharing one load between concurrent callers', async () => {
    const { runtime, loads } = setup()
    const results = await Promise.all(Array.from({ length: 100 }, () => runtime.importModule('charts/bar')))
    expect(new Set(results).size).toBe(1)
    expect(results[0]).toEqual({ name: 'charts/bar' })
    expect(loads.get('charts/bar')).toHaveBeenCalledTimes(1)
    await runtime.importModule('charts/bar')
    expect(loads.get('charts/bar')).toHaveBeenCalledTimes(1)
  })

  it('does not cache a failure: the next call tries again', async () => {
    let attempt = 0
    const runtime = createRuntime({
      recovery,
      loaders: [['flaky', async () => {
        if (attempt++ === 0)
          throw new TypeError('Failed to fetch dynamically imported module')
        return { ok: true }
      }]],
      facts: { buildId: 'b', root: '', modules: [info('flaky')], retry: { attempts: 1, delay: 0, maxDelay: 0 } },
      base: 'https://app.test/index.js',
    })
    const error = await runtime.importModule('flaky').catch(error => error)
    expect(error).toBeInstanceOf(ModuleLoadError)
    expect(error).toMatchObject({ moduleName: 'flaky', url: 'https://app.test/assets/flaky.js', attempts: 1 })
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(await runtime.importModule('flaky')).toEqual({ ok: true })
  })

  it('refuses unknown names without loading anything, with close names', async () => {
    const { runtime, loads } = setup()
    const error = await runtime.importModule('charts/baz').catch(error => error)
    expect(error).toBeInstanceOf(ModuleNotFoundError)
    expect(error).toMatchObject({ name: 'ModuleNotFoundError', moduleName: 'charts/baz', suggestions: ['charts/bar', 'charts/pie'] })
    expect(error.message).toMatch(/^No lazy module named "charts\/baz"\. Did you mean "charts\/bar", "charts\/pie"\?/)
    expect(await runtime.importModule('zzzzzzzzzz').catch(error => error.suggestions)).toEqual([])
    for (const load of loads.values())
      expect(load).not.toHaveBeenCalled()
  })

  it('answers hostile names with a typed error and no load', async () => {
    const { runtime, loads } = setup()
    const hostile: unknown[] = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '../charts/bar', '/charts/bar', 'https://evil.test/x.js', 'javascript:alert(1)', 'data:text/javascript,alert(1)', '\uD800', 'a'.repeat(1_000_000), '', 'charts/bar\0', 'charts/bar ', 'CHARTS/BAR', undefined, null, 42, {}, Symbol('x'), { toString: () => 'charts/bar' }]
    for (const name of hostile) {
      await expect(runtime.importModule(name as string)).rejects.toBeInstanceOf(ModuleNotFoundError)
      expect(runtime.getLoader(name as string)).toBeUndefined()
      expect(runtime.hasModule(name as string)).toBe(false)
    }
    for (const load of loads.values())
      expect(load).not.toHaveBeenCalled()
  })
})

describe('getLoader, iterModules, hasModule', () => {
  it('gives a loader that has run nothing yet', async () => {
    const { runtime, loads } = setup()
    const loader = runtime.getLoader('charts/pie')!
    expect(loader.name).toBe('charts/pie')
    expect(loader.info).toEqual({ name: 'charts/pie', isPackage: false, kind: 'registered' })
    expect(Object.isFrozen(loader.info)).toBe(true)
    expect(await loader.facts()).toEqual(info('charts/pie'))
    expect(loads.get('charts/pie')).not.toHaveBeenCalled()
    expect(await loader.load()).toEqual({ name: 'charts/pie' })
    expect(await runtime.importModule('charts/pie')).toBe(await loader.load())
    expect(loads.get('charts/pie')).toHaveBeenCalledTimes(1)
  })

  it('lists by prefix, sorted, loading nothing', () => {
    const { runtime, loads } = setup(['plugins/table', 'charts/pie', 'charts/bar', 'chartsx'])
    expect(runtime.iterModules('charts/').map(info => info.name)).toEqual(['charts/bar', 'charts/pie'])
    expect(runtime.iterModules().map(info => info.name)).toEqual(['charts/bar', 'charts/pie', 'chartsx', 'plugins/table'])
    expect(runtime.iterModules('plugins/')[0].isPackage).toBe(true)
    expect(runtime.hasModule('charts/pie')).toBe(true)
    for (const load of loads.values())
      expect(load).not.toHaveBeenCalled()
  })
})

describe('a first load without the facts', () => {
  const facts = { buildId: 'b', root: '', modules: [info('charts/bar', { meta: { title: 'Bar' } }), info('charts/pie')] }
  function lean(load: () => Promise<unknown>) {
    const recovery = vi.fn(() => import('../../src/runtime/recovery').then(({ recovery }) => recovery))
    const loadFacts = vi.fn(async () => ({ facts, base: 'https://app.test/assets/facts.js' }))
    const runtime = createRuntime({
      loaders: [['charts/bar', load], ['charts/pie', async () => ({})]],
      packages: ['charts/pie'],
      meta: [['charts/bar', { title: 'Bar' }]],
      facts: { buildId: 'b', root: '../', retry: { attempts: 2, delay: 0, maxDelay: 0 } },
      base: 'https://app.test/assets/index.js',
      loadFacts,
      recovery,
    })
    return { runtime, recovery, loadFacts }
  }

  it('lists with nothing, and loads with the bundler\'s own import() alone, the recovery chunk in the background and no facts', async () => {
    const { runtime, recovery, loadFacts } = lean(async () => ({ bar: true }))
    expect(runtime.iterModules()).toEqual([{ name: 'charts/bar', isPackage: false, kind: 'registered', meta: { title: 'Bar' } }, { name: 'charts/pie', isPackage: true, kind: 'registered' }])
    expect(recovery).not.toHaveBeenCalled()
    expect(await runtime.importModule('charts/bar')).toEqual({ bar: true })
    await runtime.importModule('charts/pie')
    // Fetched with the first load, once: after a full redeploy it would be gone with its build.
    expect(recovery).toHaveBeenCalledTimes(1)
    expect(loadFacts).not.toHaveBeenCalled()
    expect(await runtime.getLoader('charts/bar')!.facts()).toEqual(info('charts/bar', { meta: { title: 'Bar' } }))
    expect(loadFacts).toHaveBeenCalledTimes(1)
    expect(await runtime.getLoader('charts/pie')!.facts()).toEqual(info('charts/pie'))
    expect(loadFacts).toHaveBeenCalledTimes(1)
  })

  it('brings the recovery chunk and the facts when the first attempt fails, and retries', async () => {
    let calls = 0
    const { runtime, recovery, loadFacts } = lean(async () => {
      if (calls++ === 0)
        throw new TypeError('Failed to fetch dynamically imported module')
      return { bar: true }
    })
    expect(await runtime.importModule('charts/bar')).toEqual({ bar: true })
    expect(calls).toBe(2)
    expect(recovery).toHaveBeenCalledTimes(1)
    expect(loadFacts).toHaveBeenCalledTimes(1)
  })

  it('fails with ModuleLoadError when the recovery chunk cannot be had either, and tries again on the next call', async () => {
    const { runtime } = lean(async () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')))
    const broken = createRuntime({ loaders: [['m', async () => Promise.reject(new TypeError('Failed to fetch dynamically imported module'))]], facts: { buildId: 'b', root: '', retry: { attempts: 2, delay: 0, maxDelay: 0 } }, base: 'https://app.test/index.js', loadFacts: async () => ({ facts, base: '' }), recovery: () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')) })
    const error = await broken.importModule('m').catch(error => error)
    expect(error).toBeInstanceOf(ModuleLoadError)
    expect(error).toMatchObject({ moduleName: 'm', attempts: 2 })
    await expect(runtime.importModule('charts/bar')).rejects.toBeInstanceOf(ModuleLoadError)
  })
})

describe('lazy handles', () => {
  it('registers a marked module when its importer runs, and load() goes through the registry', async () => {
    const runtime = createRuntime({ recovery, loaders: [], facts: { buildId: 'b', root: '', modules: [info('src/pdf', { kind: 'marked' })] }, base: 'https://app.test/index.js' })
    const error = await runtime.importModule('src/pdf').catch(error => error)
    expect(error).toBeInstanceOf(ModuleNotFoundError)
    expect(error.message).toMatch(/marked lazy in its importer, which registers it when it runs/)
    const load = vi.fn(async () => ({ exportPdf: () => 'pdf' }))
    const handle = runtime.__lazyHandle('src/pdf', load)
    const again = runtime.__lazyHandle('src/pdf', async () => ({ other: true }))
    expect(Object.isFrozen(handle)).toBe(true)
    const [a, b, c] = await Promise.all([runtime.load(handle), runtime.load(again), runtime.importModule('src/pdf')])
    expect(a).toBe(b)
    expect(a).toBe(c)
    expect(load).toHaveBeenCalledTimes(1)
    expect(runtime.getLoader('src/pdf')!.info.kind).toBe('marked')
  })

  it('rejects load() of something that is not a handle', async () => {
    const { runtime } = setup()
    await expect(runtime.load('charts/bar')).rejects.toThrow(/load\(\) takes a lazy module handle/)
    await expect(runtime.load({ __proto__: null })).rejects.toBeInstanceOf(TypeError)
  })

  it('rejects preload() of an unknown name or a bad argument, never throwing', async () => {
    const { runtime } = setup()
    for (const bad of ['charts/nope', undefined, 42, {}, { __proto__: null }]) {
      let result: Promise<void> | undefined
      expect(() => result = runtime.preload(bad)).not.toThrow()
      await expect(result).rejects.toBeInstanceOf(Error)
    }
    await expect(runtime.preload('charts/nope')).rejects.toBeInstanceOf(ModuleNotFoundError)
  })
})

describe('the dev server\'s registry updates', () => {
  it('adds and drops names, keeping modules already loaded', async () => {
    const { runtime } = setup(['a', 'b'])
    const a = await runtime.importModule('a')
    runtime.__update({ loaders: [['a', async () => ({ fresh: true })], ['c', async () => ({ c: true })]], facts: { buildId: 'dev', root: '', modules: [info('a'), info('c')] }, base: 'https://app.test/x.js' })
    expect(runtime.iterModules().map(info => info.name)).toEqual(['a', 'c'])
    expect(await runtime.importModule('a')).toBe(a)
    expect(await runtime.importModule('c')).toEqual({ c: true })
    await expect(runtime.importModule('b')).rejects.toBeInstanceOf(ModuleNotFoundError)
  })
})
