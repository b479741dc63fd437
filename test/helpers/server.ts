// A small static file server for build output folders, for browser tests: it records every request
// (but the browser's own /favicon.ico), can add latency, and fails on command (status, dropped
// connection, truncated or slow body).
// HTTP/1.1 by default; HTTP/2 over TLS (with HTTP/1.1 fallback) with `http2: true`.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { constants as h2, createSecureServer } from 'node:http2'
import { tmpdir } from 'node:os'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { performance } from 'node:perf_hooks'

/** What to do instead of serving a path normally. `times`: fail only the next n requests, then serve normally. */
export type Fault = (
  | { kind: 'status', status: number } // answer with this status and a short text body
  // Close the connection (HTTP/2: reset the stream) before any response. Over HTTP/1.1 Chromium itself
  // retries a request once when a reused keep-alive connection closes before any byte, so one drop
  // (`times: 1`) is invisible to the page there: use `times: 2` or more to make the request fail.
  | { kind: 'drop' }
  | { kind: 'truncate', bytes?: number } // send the full Content-Length, then only `bytes` (default: half), then close
  | { kind: 'slow', ms: number } // send headers and the first half of the body, wait `ms`, then the rest
) & { times?: number }

export interface RequestRecord {
  /** URL path without the query, decoded: `/assets/bar-x.js`. */
  path: string
  /** The URL as requested, query included. */
  url: string
  method: string
  /** `'1.1'` or `'2.0'`. */
  httpVersion: string
  /** Status sent; 0 when the connection was dropped before a response. */
  status: number
  /** `performance.now()` in this process when the request arrived. */
  start: number
  /** `performance.now()` when the response was finished or the connection closed; `undefined` while in flight. */
  end?: number
  /** The fault applied, if any. */
  fault?: Fault['kind']
}

export interface ServerOptions {
  /** Delay before each response's headers, in ms. Can be changed later through `server.latencyMs`. */
  latencyMs?: number
  /** HTTP/2 over TLS with a self-signed certificate (HTTP/1.1 still accepted). The browser must ignore certificate errors. */
  http2?: boolean
  /** `Cache-Control` for a file served normally, by URL path; `no-store` where it gives nothing. */
  cacheControl?: (path: string) => string | undefined
  /**
   * Served with 200 for a path with no file, as hosts of single-page apps do: `path` is a URL path
   * (`/index.html`), typed as its own extension says unless `contentType` is given (some CDNs type
   * any answer by the extension asked for).
   */
  fallback?: { path: string, contentType?: string }
}

export interface TestServer {
  /** Origin with a trailing slash: `http://127.0.0.1:PORT/` or `https://127.0.0.1:PORT/`. */
  readonly origin: string
  /** `origin` + `path` (leading slash optional). */
  url: (path?: string) => string
  /** Every request so far, in arrival order, but a /favicon.ico the folder does not have. */
  readonly requests: RequestRecord[]
  /** Forgets recorded requests. */
  reset: () => void
  /** Resolves once no request is in flight (waits at least one macrotask). */
  idle: () => Promise<void>
  /** Faults by URL path (`/assets/bar-x.js`, query ignored). Set and delete freely. */
  readonly faults: Map<string, Fault>
  latencyMs: number
  close: () => Promise<void>
}

export const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.zip': 'application/zip',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

type Request = IncomingMessage | Http2ServerRequest
type Response = ServerResponse | Http2ServerResponse

/** Serves the files under `root` on 127.0.0.1, on a free port. */
export async function serve(root: string, options: ServerOptions = {}): Promise<TestServer> {
  root = resolve(root)
  const requests: RequestRecord[] = []
  const faults = new Map<string, Fault>()
  const sockets = new Set<Socket>()
  let inFlight = 0
  let waiters: (() => void)[] = []
  const state = { latencyMs: options.latencyMs ?? 0 }

  const settle = (record: RequestRecord) => {
    if (record.end !== undefined)
      return
    record.end = performance.now()
    inFlight--
    if (inFlight === 0) {
      const ready = waiters
      waiters = []
      ready.forEach(resolve => resolve())
    }
  }

  async function handle(req: Request, res: Response) {
    const url = req.url ?? '/'
    // Browsers ask for /favicon.ico on their own, when they choose: on a loaded machine, after a test
    // has started counting the page's requests. Answered (a 404 would be a console error) but not
    // recorded, so no test counts it.
    if (pathOf(url) === '/favicon.ico' && !(await find(root, '/favicon.ico'))) {
      res.writeHead(204, { 'content-type': 'image/x-icon' })
      res.end()
      return
    }
    const record: RequestRecord = { path: pathOf(url), url, method: req.method ?? 'GET', httpVersion: req.httpVersion, status: 0, start: performance.now() }
    requests.push(record)
    inFlight++
    res.on('finish', () => settle(record))
    res.on('close', () => settle(record))

    if (state.latencyMs > 0)
      await delay(state.latencyMs)

    const fault = takeFault(faults, record.path)
    if (fault)
      record.fault = fault.kind
    if (fault?.kind === 'drop') {
      abort(req, res)
      settle(record)
      return
    }
    if (fault?.kind === 'status')
      return send(res, record, fault.status, `fault: ${fault.status}\n`, 'text/plain; charset=utf-8')
    if (record.method !== 'GET' && record.method !== 'HEAD')
      return send(res, record, 405, 'method not allowed\n', 'text/plain; charset=utf-8')

    const found = await find(root, record.path)
    const file = found ?? (options.fallback && await find(root, options.fallback.path))
    if (!file)
      return send(res, record, 404, 'not found\n', 'text/plain; charset=utf-8')
    const body = await readFile(file)
    const type = (!found && options.fallback?.contentType) || (contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream')
    if (record.method === 'HEAD' || !fault)
      return send(res, record, 200, record.method === 'HEAD' ? '' : body, type, body.length, options.cacheControl?.(record.path))

    // The HTTP/1.1 and HTTP/2 compatibility responses write alike; one type keeps TypeScript's overloads simple.
    const out = res as ServerResponse
    record.status = 200
    out.writeHead(200, { 'content-type': type, 'content-length': String(body.length), 'cache-control': 'no-store' })
    if (fault.kind === 'truncate') {
      const bytes = Math.min(fault.bytes ?? Math.floor(body.length / 2), body.length - 1)
      out.write(body.subarray(0, Math.max(bytes, 0)), () => abort(req, res))
      return
    }
    // slow
    const half = Math.floor(body.length / 2)
    out.write(body.subarray(0, half))
    await delay(fault.ms)
    if (!out.destroyed)
      out.end(body.subarray(half))
  }

  const handler = (req: Request, res: Response) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent)
        send(res, undefined, 500, `server error: ${error?.message}\n`, 'text/plain; charset=utf-8')
      else
        abort(req, res)
    })
  }

  const server = options.http2
    ? createSecureServer({ ...certificate(), allowHTTP1: true }, handler)
    : createServer(handler)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => ok())
  })
  const { port } = server.address() as AddressInfo
  const origin = `${options.http2 ? 'https' : 'http'}://127.0.0.1:${port}/`

  return {
    origin,
    url: (path = '') => origin + path.replace(/^\//, ''),
    requests,
    reset: () => { requests.length = 0 },
    idle: () => new Promise<void>(ok => setTimeout(() => inFlight === 0 ? ok() : waiters.push(ok), 0)),
    faults,
    get latencyMs() { return state.latencyMs },
    set latencyMs(ms: number) { state.latencyMs = ms },
    close: () => new Promise<void>((ok) => {
      server.close(() => ok())
      for (const socket of sockets)
        socket.destroy()
    }),
  }
}

function send(res: Response, record: RequestRecord | undefined, status: number, body: string | Buffer, type: string, length = Buffer.byteLength(body), cacheControl = 'no-store') {
  if (record)
    record.status = status
  if (status === 204) {
    res.writeHead(status, { 'cache-control': 'no-store' })
    res.end()
    return
  }
  res.writeHead(status, { 'content-type': type, 'content-length': String(length), 'cache-control': cacheControl })
  res.end(body)
}

/** HTTP/1.1: destroys the socket. HTTP/2: resets only this stream, as a dropped connection would look to one request. */
function abort(req: Request, res: Response) {
  if ('stream' in res)
    res.stream.close(h2.NGHTTP2_INTERNAL_ERROR)
  else
    req.socket.destroy()
}

function takeFault(faults: Map<string, Fault>, path: string): Fault | undefined {
  const fault = faults.get(path)
  if (fault?.times !== undefined) {
    if (fault.times <= 1)
      faults.delete(path)
    else
      faults.set(path, { ...fault, times: fault.times - 1 })
  }
  return fault
}

function pathOf(url: string): string {
  const raw = url.split(/[?#]/, 1)[0]
  try {
    return decodeURIComponent(raw)
  }
  catch {
    return raw
  }
}

/** The file for a URL path, never outside `root`; a folder gives its index.html. */
async function find(root: string, path: string): Promise<string | undefined> {
  const file = join(root, normalize(path))
  if (file !== root && !file.startsWith(root + sep))
    return undefined
  for (const candidate of [file, join(file, 'index.html')]) {
    const info = await stat(candidate).catch(() => undefined)
    if (info?.isFile())
      return candidate
  }
  return undefined
}

function delay(ms: number) {
  return new Promise(ok => setTimeout(ok, ms))
}

let cached: { key: string, cert: string } | undefined

/** A self-signed P-256 certificate for localhost and 127.0.0.1, made once per process with openssl. */
export function certificate(): { key: string, cert: string } {
  if (cached)
    return cached
  const dir = mkdtempSync(join(tmpdir(), 'lazy-cert-'))
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'pipe' })
    cached = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') }
  }
  catch (error: any) {
    throw new Error(error.code === 'ENOENT'
      ? 'The HTTP/2 test server needs `openssl` to make its certificate: apt-get install openssl'
      : `openssl could not make a test certificate: ${error.stderr?.toString() || error.message}`)
  }
  finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return cached
}
