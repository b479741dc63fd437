// Names come from anywhere at run time (URLs, user input). None may reach a loader, a fetch or an
// untyped error.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ModuleNotFoundError } from '../../src/runtime/errors'
import { createRuntime } from '../../src/runtime/runtime'

/** The recovery chunk: where a load goes past the bundler's first `import()`. */
const recovery = () => import('../../src/runtime/recovery').then(({ recovery }) => recovery)
import { moduleInfo } from '../helpers/manifest'

/** A seeded generator, so a failure names a case that can be run again. */
function random(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0
    return seed / 2 ** 32
  }
}

const known = ['charts/bar', 'charts/pie', 'locales/en', 'plugins/table']
const seeds = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then', '../', './', '/', '//evil.test/x.js', 'https://evil.test/x.js', 'http://127.0.0.1:1/x.js', 'javascript:alert(1)', 'data:text/javascript,alert(1)', 'blob:https://x/y', 'file:///etc/passwd', '\\\\server\\share', 'C:\\x', '%2e%2e/', '\0', '\uD800', '\uDFFF', '\u202E', '\uFEFF', '\n', '<script>', '${x}', '*', '**', '?', '#', ' ', '']

/** 10,000 names: the seeds, mutations of known names, and random strings of every kind of character. */
function hostileNames(count: number, next = random(20261125)): string[] {
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]
  const names = [...seeds]
  while (names.length < count) {
    const kind = next()
    if (kind < 0.3) {
      names.push(pick(seeds) + pick(known) + pick(seeds))
    }
    else if (kind < 0.6) {
      const base = pick(known)
      const at = Math.floor(next() * base.length)
      names.push(base.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x10000)) + base.slice(at + 1))
    }
    else if (kind < 0.95) {
      names.push(Array.from({ length: Math.floor(next() * 40) }, () => String.fromCharCode(Math.floor(next() * (next() < 0.5 ? 0x80 : 0x10000)))).join(''))
    }
    else {
      names.push(pick(seeds).repeat(1 + Math.floor(next() * 100_000)))
    }
  }
  return names
}

describe('hostile names', () => {
  const names = hostileNames(10_100).filter(name => !known.includes(name)).slice(0, 10_000)
  const loaders = known.map(name => [name, vi.fn(async () => ({ name }))] as [string, () => Promise<unknown>])
  const runtime = createRuntime({ recovery, loaders, facts: { buildId: 'b', root: '', modules: known.map(name => moduleInfo({ name, source: name, file: `${name}.js` })) }, base: 'https://app.test/index.js' })
  const fetch = vi.fn()
  beforeAll(() => {
    vi.stubGlobal('fetch', fetch)
  })
  afterAll(() => {
    vi.unstubAllGlobals()
  })

  it(`refuses ${names.length.toLocaleString('en')} generated names with ModuleNotFoundError, and loads and fetches nothing`, async () => {
    expect(names.length).toBe(10_000)
    for (const name of names) {
      const error = await runtime.importModule(name).then(() => undefined, error => error)
      if (!(error instanceof ModuleNotFoundError))
        throw new Error(`importModule(${JSON.stringify(name.slice(0, 80))}) gave ${error}`)
      expect(error.moduleName.length).toBe(name.length)
      expect(runtime.getLoader(name)).toBeUndefined()
      expect(runtime.hasModule(name)).toBe(false)
      await expect(runtime.preload(name)).rejects.toBeInstanceOf(ModuleNotFoundError)
    }
    for (const [, load] of loaders)
      expect(load).not.toHaveBeenCalled()
    expect(fetch).not.toHaveBeenCalled()
  })

  it('lists only the registry\'s names, whatever the prefix', () => {
    for (const name of names.slice(0, 2000))
      expect(runtime.iterModules(name).every(info => known.includes(info.name))).toBe(true)
  })

  it('keeps the registry free of Object.prototype', () => {
    expect(runtime.hasModule('toString')).toBe(false)
    expect(runtime.getLoader('__proto__')).toBeUndefined()
  })
})
