// The runtime's retry and stale-build logic, in Node, with loaders and a server that fail on command.
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ModuleLoadError, StaleBuildError } from '../../src/runtime/errors'
import { createRuntime } from '../../src/runtime/runtime'
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
    const runtime = createRuntime({ loaders: [['m', load]], facts: { buildId: 'b', root: '', modules: [info('m')], retry: fast }, base: 'file:///app/index.js' })
    const results = await Promise.all(Array.from({ length: 1000 }, () => runtime.importModule('m')))
    expect(new Set(results).size).toBe(1)
    expect(load).toHaveBeenCalledTimes(3)
  })

  it('gives up after the configured attempts with ModuleLoadError naming the attempts, URL and cause', async () => {
    const load = flaky(...Array.from({ length: 10 }, () => new TypeError('Failed to fetch dynamically imported module')))
    const runtime = createRuntime({ loaders: [['m', load]], facts: { buildId: 'b', root: '', modules: [info('m')], retry: fast }, base: 'file:///app/index.js' })
    runtime.configure({ retry: { attempts: 2 } })
    const error = await runtime.importModule('m').catch(error => error)
    expect(error).toBeInstanceOf(ModuleLoadError)
    expect(error).toMatchObject({ moduleName: 'm', attempts: 2, url: 'file:///app/m.js' })
    expect(error.message).toMatch(/after 2 attempts: Failed to fetch/)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('never retries the module\'s own exception, so it never runs twice', async () => {
    const load = flaky(new RangeError('the module threw while it ran'))
    const runtime = createRuntime({ loaders: [['m', load]], facts: { buildId: 'b', root: '', modules: [info('m')], retry: fast }, base: 'file:///app/index.js' })
    const error = await runtime.importModule('m').catch(error => error)
    expect(error).toMatchObject({ name: 'ModuleLoadError', attempts: 1 })
    expect(error.cause).toBeInstanceOf(RangeError)
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('waits longer before each retry, with jitter, up to the maximum', async () => {
    vi.useFakeTimers()
    try {
      const load = flaky(...Array.from({ length: 5 }, () => new TypeError('Failed to fetch dynamically imported module')))
      const runtime = createRuntime({ loaders: [['m', load]], facts: { buildId: 'b', root: '', modules: [info('m')], retry: { attempts: 6, delay: 100, maxDelay: 350 } }, base: 'file:///app/index.js' })
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

describe('stale builds', () => {
  let server: ReturnType<typeof createServer>
  let origin: string
  let currentBuild = 'old'
  const gone = new Set<string>()
  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = new URL(request.url!, 'http://x').pathname
      if (path === '/lazy-manifest.json') {
        response.setHeader('content-type', 'application/json')
        return response.end(JSON.stringify({ buildId: currentBuild }))
      }
      response.statusCode = gone.has(path) ? 404 : 200
      response.end()
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise(resolve => server.close(resolve)))
  afterEach(() => {
    gone.clear()
    currentBuild = 'old'
  })

  function runtimeFor(load: () => Promise<unknown>) {
    return createRuntime({ loaders: [['m', load]], facts: { buildId: 'old', root: '', modules: [info('m')], manifest: 'lazy-manifest.json', retry: fast }, base: `${origin}/index.js` })
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
})
