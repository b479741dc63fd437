// Where Vite writes HTML, with `integrity: true`: every chunk with its sha-384 in the page's own
// import map, ahead of its module scripts, and the digest of each file the page names on its own
// script, module preload and stylesheet tags. A browser then checks the page's first load (the tags,
// and what they import statically through the map) and every lazy chunk, the runtime's own
// included, and needs no map added at run time (which browsers without multiple import maps refuse
// once a module has loaded). Rollup and Rolldown write no HTML: there the runtime declares the map
// itself (src/runtime/browser.ts), and skips URLs a page's map has.
import { posix } from 'node:path'

/** What Vite writes its pages with: its resolved `base` and `html.cspNonce`. */
export interface HtmlConfig {
  base: string
  cspNonce?: string
}

/**
 * A file of the output folder as the page at `page` (its path there) names it, by Vite's own rule
 * (`getBaseInHTML`): a relative `base` is relative to the page, any other is prefixed. A browser
 * resolves an import map's `integrity` keys as it resolves the chunks' own relative imports, so
 * both end at one URL.
 */
export function urlInPage(file: string, page: string, base: string): string {
  if (base !== '' && base !== './')
    return base + file
  const path = posix.relative(posix.dirname(page), file)
  return path.startsWith('../') ? path : `./${path}`
}

/** Each file's digest (`digests`, by file in the output folder) under the URL the page names it by. */
export function pageIntegrity(page: string, config: HtmlConfig, digests: Map<string, string>): Record<string, string> {
  const integrity: Record<string, string> = {}
  for (const [file, digest] of [...digests].sort(([a], [b]) => a < b ? -1 : 1))
    integrity[urlInPage(file, page, config.base)] = digest
  return integrity
}

/**
 * The page with `integrity="…"` on each script, module preload and stylesheet tag that names a file
 * of `integrity` (from `pageIntegrity`) and has none of its own: the browser checks the page's
 * start-up files before they run, as the import map has it check what they import.
 */
export function withTagIntegrity(html: string, integrity: Record<string, string>): string {
  return html.replace(/<(?:script|link)\b[^>]*>/gi, (tag) => {
    const url = tagUrl(tag)
    const checkable = /^<script/i.test(tag) || /\srel\s*=\s*["']?(?:modulepreload|stylesheet|preload)\b/i.test(tag)
    if (url === undefined || !checkable || !Object.hasOwn(integrity, url) || /\sintegrity\s*=/i.test(tag))
      return tag
    return tag.replace(/\s*\/?>$/, end => ` integrity="${integrity[url]}"${end}`)
  })
}

/** The `src` or `href` of a script or link tag. */
function tagUrl(tag: string): string | undefined {
  const found = /\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i.exec(tag)
  return found ? found[1] ?? found[2] ?? found[3] : undefined
}

const IMPORT_MAP = /(<script\b[^>]*\stype\s*=\s*(?:"importmap"|'importmap'|importmap(?=[\s>]))[^>]*>)([\s\S]*?)(<\/script\s*>)/i
/** Where a map must go at the latest: an import map counts only before any module starts to load. */
const FIRST_LOAD = /[ \t]*(?:<script\b|<link\b[^>]*\srel\s*=\s*(?:"modulepreload"|'modulepreload'|modulepreload(?=[\s>])))/i

/**
 * The page with `integrity` in its import map: merged into the map it has (one map is what every
 * browser with import maps reads; a second one only Chromium 133 and later), where the build's
 * digest for a URL wins; else in a new map before its first script or module preload. Returns
 * `undefined` when the page's map is not JSON, which the browser ignores too.
 */
export function withImportMap(html: string, integrity: Record<string, string>, cspNonce?: string): string | undefined {
  const existing = IMPORT_MAP.exec(html)
  if (existing) {
    let map: { integrity?: Record<string, string> }
    try {
      map = JSON.parse(existing[2])
    }
    catch {
      return undefined
    }
    const merged = json({ ...map, integrity: { ...map.integrity, ...integrity } })
    return html.slice(0, existing.index) + existing[1] + merged + existing[3] + html.slice(existing.index + existing[0].length)
  }
  const tag = `<script type="importmap"${cspNonce ? ` nonce="${cspNonce}"` : ''}>${json({ integrity })}</script>`
  const first = FIRST_LOAD.exec(html)
  if (first) {
    const indent = /^[ \t]*/.exec(first[0])![0]
    return `${html.slice(0, first.index)}${indent}${tag}\n${html.slice(first.index)}`
  }
  const head = html.search(/<\/head\s*>/i)
  return head < 0 ? `${tag}\n${html}` : `${html.slice(0, head)}${tag}\n${html.slice(head)}`
}

/** JSON that cannot end the script element it is in. */
function json(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c')
}
