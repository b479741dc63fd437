// What the runtime asks of the platform: links in the document, an import map, fetches, an event.
// Each step takes plain data and holds no state of its own.
import type { ChunkFacts } from '../contract'
import type { StaleBuildError } from './check-errors'
import { STALE_EVENT } from '../contract'

/** Marks an error as a failed fetch, which a retry may cure: `GONE` when the file is not there. */
export const FETCH_FAILED = Symbol('fetch failed')
export const GONE = 2

export async function fetchBytes(url: string): Promise<ArrayBuffer> {
  if (url.startsWith('file:'))
    throw new Error(`${url} is a file: Node runs archived modules through its loader hooks, so start it with \`node --import unplugin-lazy-modules/node\`.`)
  const response = await fetch(url).catch(fetchFailed)
  // A body cut short rejects here, and is retried like any failed fetch.
  const bytes = response.ok && await response.arrayBuffer().catch(fetchFailed)
  // No chunk or zip starts with `<`: such a body is a host's page for a path it does not have.
  const gone = isMissing(response) || (bytes && new Uint8Array(bytes).find(byte => byte > 32) === 60)
  if (!bytes || gone)
    fetchFailed(new Error(`HTTP ${response.status} ${response.headers.get('content-type')} for ${url}`), gone)
  return bytes
}

/**
 * 404, 410, or HTML where a script, a zip or a manifest should be: hosts of single-page apps answer
 * every path they do not have with their index.html and a 200.
 */
export const isMissing = (response: Response): boolean => [404, 410].includes(response.status) || /html/.test(response.headers.get('content-type')!)

function fetchFailed(error: any, gone?: unknown): never {
  throw Object.assign(error, { [FETCH_FAILED]: gone ? GONE : 1 })
}

export function addLink(rel: string, href: string, integrity?: string): Promise<void> {
  for (const existing of document.querySelectorAll<HTMLLinkElement>(`link[rel="${rel}"]`)) {
    if (existing.href === href)
      return Promise.resolve()
  }
  const element = document.createElement('link')
  element.rel = rel
  // Same-origin links are written as a path, the form Vite's own preloading looks for, so the
  // two never add a chunk twice.
  const url = new URL(href)
  element.setAttribute('href', url.origin === location.origin ? url.pathname + url.search : href)
  if (integrity)
    element.integrity = integrity
  return new Promise((resolve) => {
    // A failed preload is only a missed hint: the import itself reports the failure.
    element.onload = element.onerror = () => resolve()
    document.head.appendChild(element)
  })
}

/**
 * Tells the browser every loose lazy chunk's digest through an import map's `integrity`, which
 * applies to `import()` too: a tampered chunk then fails to load instead of running. Browsers that do
 * not support it ignore it; the retry that follows a failure checks the digest itself. A URL that a
 * map in the page has already (Vite writes one into its pages) is left out, and so is a map of none.
 */
export function declareIntegrity(chunks: Record<string, ChunkFacts>, urlOf: (file: string) => string): void {
  if (typeof document === 'undefined' || !HTMLScriptElement.supports?.('importmap'))
    return
  const declared = new Set<string>()
  for (const map of document.querySelectorAll('script[type="importmap"]')) {
    try {
      Object.keys(JSON.parse(map.textContent!).integrity).forEach(url => declared.add(new URL(url, document.baseURI).href))
    }
    catch {
      // A map without `integrity`, or not JSON, which the browser ignores too.
    }
  }
  const integrity = Object.fromEntries(Object.entries(chunks).filter(([file, chunk]) => !chunk.archive && !declared.has(urlOf(file))).map(([file, chunk]) => [urlOf(file), chunk.integrity]))
  if (!Object.keys(integrity).length)
    return
  const script = document.createElement('script')
  script.type = 'importmap'
  script.textContent = JSON.stringify({ integrity })
  document.head.appendChild(script)
}

/**
 * Dispatches the cancelable stale event on `window` (on `globalThis` where that is an event target,
 * as in workers; else, as in Node, on the runtime's `events`). An app that cancels it has taken over.
 */
export function staleBuild(error: StaleBuildError, events: EventTarget): Promise<never> {
  const global = globalThis as unknown as Partial<EventTarget>
  const target = typeof global.dispatchEvent === 'function' ? global as EventTarget : events
  const event = new CustomEvent(STALE_EVENT, { cancelable: true, detail: error })
  if (!target.dispatchEvent(event))
    return new Promise(() => {}) // the app reloads or otherwise handles it; nothing to settle
  return Promise.reject(error)
}
