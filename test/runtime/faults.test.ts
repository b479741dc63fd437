// The runtime's retry and stale-build logic, in Node, with loaders and a server that fail on command.
import type { AddressInfo } from 'node:net'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { FETCH_FAILED, fetchBytes, GONE } from '../../src/runtime/browser'
import { ModuleLoadError, StaleBuildError } from '../../src/runtime/errors'
import { createRuntime } from '../../src/runtime/runtime'

/** The recovery chunk: where a load goes past the bundler's first `import()`. */
const recovery = () => import('../../src/runtime/recovery').then(({ recovery }) => recovery)
import { moduleInfo } from '../helpers/manifest'

const info = (name: string) => moduleInfo({ name, file: `${name}.js` })
const fast = { attempts: 4, delay: 1, maxDelay: 5 }

/** A loader that fails with `errors` in turn, then succeeds. */
function flaky(...errors: Error[]) {
  const load = vi.fn(async () => {
    const error = errors.shift()
    if (error)
      throw error
    return { loaded: true }
  })
  return load
}

describe('retries', () => {
  it('retries fetch failures with backoff and succeeds, loading once for every caller', async () => {
    const load = flaky(new TypeError('Failed to fetch dynamically imported module: x'), new TypeError('error loading dynamically imported module'))
    const runtime = createRuntime({ recovery, loaders: [['m', load]], facts: { buildId: 'b', root: '', modules: [info('m')], retry: fast }, base: 'file:///app/index.js' })
    const results = await Promise.all(Array.from({ length: 1000 }, () => runtime.importModule('m')))
    expect(new Set(results).size).toBe(1)
    expect(load).toHaveBeenCalledTimes(3)
  })

  it('gives up after the configured attempts with ModuleLoadError naming the attempts, URL and cause', async () => {
    const load = flaky(...Array.from({ length: 10 }, () => new TypeError('Failed to fetch dynamically imported module')))
    const runtime = createRuntime({ recovery, loaders: [['m', load]], facts: { buildId: 'b', root: '', modules: [info('m')], retry: fast }, base: 'file:///app/index.js' })
    runtime.configure({ retry: { attempts: 2 } })
    const error = await runtime.importModule('m').catch(error => error)
    expect(error).toBeInstanceOf(ModuleLoadError)
    expect(error).toMatchObject({ moduleName: 'm', attempts: 2, url: 'file:///app/m.js' })
    expect(error.message).toMatch(/after 2 attempts: Failed to fetch/)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('never retries the module\'s own exception, so it never runs twice', async () => {
    const load = flaky(new RangeError('the module threw while it ran'))
    const runtime = createRuntime({ recovery, loaders: [['m', load]], facts: { buildId: 'b', root: '', modules: [info('m')], retry: fast }, base: 'file:///app/index.js' })
    const error = await runtime.importModule('m').catch(error => error)
    expect(error).toMatchObject({ name: 'ModuleLoadError', attempts: 1 })
    expect(error.cause).toBeInstanceOf(RangeError)
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('waits longer before each retry, with jitter, up to the maximum', async () => {
    vi.useFakeTimers()
    try {
      const load = flaky(...Array.from({ length: 5 }, () => new TypeError('Failed to fetch dynamically imported module')))
      const runtime = createRuntime({ recovery, loaders: [['m', load]], facts: { buildId: 'b', root: '', modules: [info('m')], retry: { attempts: 6, delay: 100, maxDelay: 350 } }, base: 'file:///app/index.js' })
      const done = runtime.importModule('m')
      const calls: number[] = []
      for (let t = 0; t <= 2000; t += 10) {
        calls.push(load.mock.calls.length)
        await vi.advanceTimersByTimeAsync(10)
      }
      await done
      // Call k+1 comes between 0.5× and 1× of min(350, 100·2^(k-1)) after call k.
      const times = [1, 2, 3, 4, 5, 6].map(n => calls.indexOf(n) * 10)
      const gaps = times.slice(1).map((t, i) => t - times[i])
      const caps = [100, 200, 350, 350, 350]
      gaps.forEach((gap, i) => {
        expect(gap, `gap ${i}`).toBeGreaterThanOrEqual(caps[i] / 2 - 10)
        expect(gap, `gap ${i}`).toBeLessThanOrEqual(caps[i] + 10)
      })
    }
    finally {
      vi.useRealTimers()
    }
  })
})

describe('the memory loader\'s own chunk', () => {
  // An archived module in Node without the loader hooks goes through the memory loader, as in a
  // browser. Its archive is served over HTTP; its chunk is a file, named by an absolute URL.
  let server: ReturnType<typeof createServer>
  let origin: string
  const dir = mkdtempSync(join(tmpdir(), 'lazy-memory-'))
  const memoryFile = pathToFileURL(join(dir, 'memory.mjs')).href
  writeFileSync(join(dir, 'memory.mjs'), 'export const createMemoryLoader = () => ({ prefetch: async () => {}, importFile: async file => ({ file }), forget() {}, holds: () => false })\n')
  beforeAll(async () => {
    server = createServer((_, response) => response.end('PK'))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise(resolve => server.close(resolve)))

  function runtimeFor(memory: () => Promise<any>, memoryChunk = memoryFile) {
    const archived = (name: string) => moduleInfo({ name, file: `${name}.js`, archive: { name: 'all', file: 'all.zip', entry: `${name}.js` } })
    return createRuntime({
      recovery,
      loaders: [['a', flaky()], ['b', flaky()]],
      facts: { buildId: 'b', root: '', modules: [archived('a'), archived('b')], archives: { all: { file: 'all.zip', integrity: '' } }, memory: memoryChunk, retry: fast },
      base: `${origin}/index.js`,
      memory,
    })
  }

  it('is imported under a new URL when the bundler\'s import() failed, and the load goes on', async () => {
    const memory = vi.fn(() => Promise.reject(new TypeError('Failed to fetch dynamically imported module: memory.js')))
    const runtime = runtimeFor(memory)
    expect(await runtime.importModule('a')).toEqual({ file: 'a.js' })
    expect(memory).toHaveBeenCalledTimes(1)
    expect(await runtime.importModule('b')).toEqual({ file: 'b.js' })
  })

  it('keeps no failure: each load rejects with ModuleLoadError after its own attempts, and the next load tries again', async () => {
    const memory = vi.fn(() => Promise.reject(new TypeError('Failed to fetch dynamically imported module: memory.js')))
    const runtime = runtimeFor(memory, pathToFileURL(join(dir, 'gone.mjs')).href)
    const first = await runtime.importModule('a').catch(error => error)
    expect(first).toBeInstanceOf(ModuleLoadError)
    expect(first).toMatchObject({ moduleName: 'a', attempts: fast.attempts })
    const second = await runtime.importModule('b').catch(error => error)
    expect(second).toBeInstanceOf(ModuleLoadError)
    expect(second).not.toBe(first)
    expect(memory).toHaveBeenCalledTimes(2)
    // A preload's rejection is typed too.
    expect(await runtime.preload('a').catch(error => error)).toBeInstanceOf(ModuleLoadError)
  })
})

describe('stale builds', () => {
  let server: ReturnType<typeof createServer>
  let origin: string
  let currentBuild = 'old'
  const gone = new Set<string>()
  /** How the server answers a path it does not have: a 404, or its page with a 200 (a single-page app's host), typed as HTML or as the path says. */
  let missing: 'status' | 'page' | 'page typed by path' = 'status'
  let manifestType = 'application/json'
  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = new URL(request.url!, 'http://x').pathname
      if (path === '/lazy-manifest.json' && manifestType) {
        response.setHeader('content-type', manifestType)
        return response.end(manifestType.includes('json') ? JSON.stringify({ buildId: currentBuild }) : '<!doctype html><title>app</title>')
      }
      if (gone.has(path) || path === '/lazy-manifest.json') {
        if (missing === 'status') {
          response.statusCode = 404
          return response.end()
        }
        response.setHeader('content-type', missing === 'page' ? 'text/html' : 'text/javascript')
        return response.end(request.method === 'HEAD' ? undefined : '\n<!doctype html><title>app</title>')
      }
      response.setHeader('content-type', 'text/javascript')
      response.end(request.method === 'HEAD' ? undefined : 'export default 1')
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise(resolve => server.close(resolve)))
  afterEach(() => {
    gone.clear()
    currentBuild = 'old'
    missing = 'status'
    manifestType = 'application/json'
  })

  function runtimeFor(load: () => Promise<unknown>) {
    return createRuntime({ recovery, loaders: [['m', load]], facts: { buildId: 'old', root: '', modules: [info('m')], manifest: 'lazy-manifest.json', retry: fast }, base: `${origin}/index.js` })
  }

  it('rejects with StaleBuildError and dispatches a cancelable event when the chunk is gone and the build changed', async () => {
    gone.add('/m.js')
    currentBuild = 'new'
    const load = flaky(...Array.from({ length: 10 }, () => new TypeError('Failed to fetch dynamically imported module')))
    const events: Event[] = []
    const runtime = runtimeFor(load)
    runtime.events.addEventListener('lazy-modules:stale', event => events.push(event))
    {
      const error = await runtime.importModule('m').catch(error => error)
      expect(error).toBeInstanceOf(StaleBuildError)
      expect(error).toMatchObject({ moduleName: 'm', url: `${origin}/m.js`, buildId: 'old', currentBuildId: 'new' })
      expect(load).toHaveBeenCalledTimes(1) // no retry can bring back a file the new build removed
      expect(events).toHaveLength(1)
      expect((events[0] as CustomEvent).detail).toBe(error)
      expect(events[0].cancelable).toBe(true)
    }
  })

  it('leaves the promise to the app when it cancels the event', async () => {
    gone.add('/m.js')
    currentBuild = 'new'
    const runtime = runtimeFor(flaky(new TypeError('Failed to fetch dynamically imported module')))
    runtime.events.addEventListener('lazy-modules:stale', event => event.preventDefault())
    const outcome = await Promise.race([
      runtime.importModule('m').then(() => 'settled', () => 'settled'),
      new Promise(resolve => setTimeout(resolve, 300, 'pending')),
    ])
    expect(outcome).toBe('pending')
  })

  it('retries a missing chunk when the build is the same (a deploy in progress, or a flaky CDN)', async () => {
    gone.add('/m.js')
    const load = flaky(new TypeError('Failed to fetch dynamically imported module'))
    expect(await runtimeFor(load).importModule('m')).toEqual({ loaded: true })
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('behind a host that answers missing paths with its page and a 200: StaleBuildError all the same', async () => {
    gone.add('/m.js')
    currentBuild = 'new'
    missing = 'page'
    const load = flaky(...Array.from({ length: 10 }, () => new TypeError('Failed to fetch dynamically imported module')))
    const error = await runtimeFor(load).importModule('m').catch(error => error)
    expect(error).toBeInstanceOf(StaleBuildError)
    expect(error).toMatchObject({ buildId: 'old', currentBuildId: 'new' })
  })

  it('reads no build id from a manifest that is the host\'s page: retried, then ModuleLoadError', async () => {
    gone.add('/m.js')
    missing = 'page'
    manifestType = ''
    const load = flaky(...Array.from({ length: 10 }, () => new TypeError('Failed to fetch dynamically imported module')))
    const error = await runtimeFor(load).importModule('m').catch(error => error)
    expect(error).toBeInstanceOf(ModuleLoadError)
    expect(load).toHaveBeenCalledTimes(fast.attempts)
  })
})

describe('fetchBytes', () => {
  let server: ReturnType<typeof createServer>
  let origin: string
  beforeAll(async () => {
    server = createServer((request, response) => {
      const [type, body, status = 200] = ({
        '/zip': ['application/zip', 'PK\x05\x06'],
        '/page': ['text/html; charset=utf-8', '<!doctype html>'],
        '/page-as-js': ['text/javascript', '\n  <!doctype html>'],
        '/gone': ['text/plain', 'not found', 410],
        '/busy': ['text/plain', 'busy', 503],
      } as Record<string, [string, string, number?]>)[request.url!]
      response.writeHead(status, { 'content-type': type })
      response.end(body)
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise(resolve => server.close(resolve)))

  it('gives the bytes of a file', async () => {
    expect(new TextDecoder().decode(await fetchBytes(`${origin}/zip`))).toBe('PK\x05\x06')
  })

  it.each([
    ['410', '/gone', GONE],
    ['an HTML page, by its content type', '/page', GONE],
    ['an HTML page typed as JavaScript, by its first character', '/page-as-js', GONE],
    ['a 503', '/busy', 1],
  ])('marks %s as a failed fetch, and as a missing file where it is one', async (_, path, mark) => {
    const error = await fetchBytes(`${origin}${path}`).catch(error => error)
    expect(error[FETCH_FAILED]).toBe(mark)
    expect(error.message).toMatch(/^HTTP \d+ /)
  })
})
