// Static file servers for the load-time benchmark, run in a worker thread so that the timers adding
// latency never wait behind the benchmark's own work (Playwright messages, JSON parsing).
//
// One server per site and protocol: 'h1' is plain HTTP/1.1, 'h2' is HTTP/2 over TLS (node:http2
// createSecureServer with allowHTTP1) with a self-signed certificate made by openssl at start.
// Each response waits `latencyMs` before its headers. Every request is recorded with the connection
// it came on, so the benchmark can count requests, duplicates, connections and waterfalls.
//
// Main thread API: `const servers = await startServers({ sites: { name: dir }, protocols: ['h1', 'h2'] })`
//   servers.origin(site, protocol), servers.setLatency(ms), servers.reset(), await servers.requests(site, protocol),
//   await servers.idle(), await servers.close()
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { createSecureServer } from 'node:http2'
import { tmpdir } from 'node:os'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json', '.zip': 'application/zip', '.css': 'text/css; charset=utf-8' }

/** A self-signed P-256 certificate for 127.0.0.1 and localhost, valid one day. */
export function makeCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'archive-bench-cert-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' })
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
  }
  finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function startServers({ sites, protocols = ['h1', 'h2'] }) {
  const tls = protocols.includes('h2') ? makeCertificate() : undefined
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { sites, protocols, tls } })
  let next = 0
  const pending = new Map()
  worker.on('message', ({ id, result, error }) => {
    const call = pending.get(id)
    pending.delete(id)
    error ? call.reject(new Error(error)) : call.resolve(result)
  })
  worker.on('error', (error) => {
    for (const call of pending.values())
      call.reject(error)
  })
  const call = (cmd, args = {}) => new Promise((resolve, reject) => {
    const id = next++
    pending.set(id, { resolve, reject })
    worker.postMessage({ id, cmd, ...args })
  })
  const origins = await call('origins')
  return {
    origin: (site, protocol) => origins[`${site} ${protocol}`],
    setLatency: ms => call('latency', { ms }),
    reset: () => call('reset'),
    requests: (site, protocol) => call('requests', { key: `${site} ${protocol}` }),
    idle: () => call('idle'),
    close: async () => {
      await call('close')
      await worker.terminate()
    },
  }
}

// ---- the worker ----

if (!isMainThread && workerData?.sites) {
  const state = { latencyMs: 0 }
  const servers = new Map()
  let inFlight = 0
  let waiters = []
  const delay = ms => new Promise(ok => setTimeout(ok, ms))

  function settle(record) {
    if (record.end !== undefined)
      return
    record.end = performance.now()
    if (--inFlight === 0) {
      const ready = waiters
      waiters = []
      ready.forEach(ok => ok())
    }
  }

  async function find(root, path) {
    const file = join(root, normalize(path))
    if (file !== root && !file.startsWith(root + sep))
      return undefined
    for (const candidate of [file, join(file, 'index.html')]) {
      if ((await stat(candidate).catch(() => undefined))?.isFile())
        return candidate
    }
    return undefined
  }

  function makeHandler(root, site) {
    const connections = new WeakMap()
    let connectionCount = 0
    const connectionOf = (req) => {
      const key = req.stream?.session ?? req.socket
      if (!connections.has(key))
        connections.set(key, ++connectionCount)
      return connections.get(key)
    }
    return async (req, res) => {
      const url = req.url ?? '/'
      const path = decodeURIComponent(url.split(/[?#]/, 1)[0])
      const record = { path, url, method: req.method, httpVersion: req.httpVersion, connection: connectionOf(req), status: 0, start: performance.now(), end: undefined }
      site.requests.push(record)
      inFlight++
      res.on('finish', () => settle(record))
      res.on('close', () => settle(record))
      try {
        if (state.latencyMs > 0)
          await delay(state.latencyMs)
        const file = path === '/favicon.ico' ? undefined : await find(root, path)
        if (!file) {
          record.status = path === '/favicon.ico' ? 204 : 404
          res.writeHead(record.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
          res.end(record.status === 404 ? 'not found\n' : '')
          return
        }
        const body = await readFile(file)
        record.status = 200
        record.bytes = body.length
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': String(body.length), 'cache-control': 'no-store' })
        res.end(req.method === 'HEAD' ? undefined : body)
      }
      catch (error) {
        if (!res.headersSent)
          res.writeHead(500)
        res.end(String(error))
      }
    }
  }

  const { sites, protocols, tls } = workerData
  const origins = {}
  for (const [name, dir] of Object.entries(sites)) {
    for (const protocol of protocols) {
      const site = { requests: [] }
      const handler = makeHandler(resolve(dir), site)
      const server = protocol === 'h2' ? createSecureServer({ ...tls, allowHTTP1: true }, handler) : createServer({ keepAliveTimeout: 30_000 }, handler)
      server.on('sessionError', () => {})
      server.on('clientError', (_, socket) => socket.destroy())
      await new Promise(ok => server.listen(0, '127.0.0.1', ok))
      const key = `${name} ${protocol}`
      origins[key] = `${protocol === 'h2' ? 'https' : 'http'}://127.0.0.1:${server.address().port}`
      servers.set(key, { server, site })
    }
  }

  parentPort.on('message', async ({ id, cmd, ...args }) => {
    try {
      let result
      if (cmd === 'origins') {
        result = origins
      }
      else if (cmd === 'latency') {
        state.latencyMs = args.ms
      }
      else if (cmd === 'reset') {
        for (const { site } of servers.values())
          site.requests = []
      }
      else if (cmd === 'requests') {
        result = servers.get(args.key).site.requests
      }
      else if (cmd === 'idle') {
        await delay(0)
        if (inFlight > 0)
          await new Promise(ok => waiters.push(ok))
      }
      else if (cmd === 'close') {
        await Promise.all([...servers.values()].map(({ server }) => new Promise((ok) => {
          server.close(() => ok())
          server.closeAllConnections?.()
          setTimeout(ok, 500)
        })))
      }
      parentPort.postMessage({ id, result })
    }
    catch (error) {
      parentPort.postMessage({ id, error: String(error?.stack ?? error) })
    }
  })
}
