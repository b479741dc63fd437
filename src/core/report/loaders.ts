// What a lazy module costs the first load: its loader, a name beside an `import()`, where the first
// load carries it (a registered module's pair in the registry, a marked one's lazy handle in its
// importer). An estimate, and a cheap one: a plain scan of the first-load chunks finds each loader's
// bytes, and its gzip is those bytes at its chunk's gzip/raw ratio, which the report measured anyway.
// No parsing and no compression of its own: the report's build cost grows with the module count.
import type { BundleGraph } from '../graph'
import type { Share, Sizes } from './types'

/**
 * A quoted name, then a comma and a function with no parameters: `[name, () => import(…)]` in the
 * registry, `__lazyHandle(name, () => import(…))` in an importer, minified or not, in the arrow or
 * the `function () { return … }` a downlevelling minifier writes. Bounded, with no quote inside a
 * name but an escaped one: an unbounded repetition of an alternation overflows V8's stack on a long
 * string literal (a chunk's inlined text).
 */
export const LOADER = /(["'`])((?:[^"'`\\\n]|\\.){0,500})\1\s*,\s*(?:\(\s*\)\s*=>|function\s*\(\s*\)\s*(?=\{))/g

/**
 * Where a match of `LOADER` can end: its closing quote, then the comma and the function. Nothing in
 * it is a quote, so no two overlap and a global search finds every one.
 */
const TAIL = /(["'`])\s*,\s*(?:\(\s*\)\s*=>|function\s*\(\s*\)\s*(?=\{))/g
/** `LOADER` tried at one offset only. */
const LOADER_AT = new RegExp(LOADER.source, 'y')
/** How far before its closing quote a match can start: 500 characters of name, each at most an escape of 2. */
const LONGEST_NAME = 1001

/** A loader longer than this is not one: the scan gave up on its end (a template with `${`, say). */
const LONGEST = 2000

/**
 * For each of `names` whose loader is in a first-load chunk: its bytes there, and their gzip
 * estimated at the chunk's ratio (`sizes`: each file's, as measured). A module without one is left
 * out: its loader is in lazy code, or it has none.
 */
export function loaderCosts(graph: BundleGraph, names: Iterable<string>, sizes: Map<string, Sizes>): Map<string, Share> {
  const wanted = new Set(names)
  const costs = new Map<string, Share>()
  for (const file of graph.initial) {
    const code = graph.chunks.get(file)?.code
    const size = sizes.get(file)
    if (!code || !size?.raw)
      continue
    for (const [name, raw] of loaderBytes(code, wanted)) {
      const known = costs.get(name) ?? { raw: 0, gzip: 0 }
      costs.set(name, { raw: known.raw + raw, gzip: known.gzip + Math.round(raw * size.gzip / size.raw) })
    }
  }
  return costs
}

/**
 * The bytes of each loader `code` holds for one of `names`: from the name's quote to the end of its
 * function, with the list's brackets or the call around them when they hold nothing else, and a
 * comma that follows.
 */
function loaderBytes(code: string, names: Set<string>): Map<string, number> {
  const found = new Map<string, number>()
  for (const match of loaderMatches(code)) {
    const name = nameOf(match[1], match[2])
    if (name === null || !names.has(name))
      continue
    const start = match.index!
    const end = endOf(code, start + match[0].length)
    const imports = code.indexOf('import(', start)
    if (end === -1 || imports === -1 || imports > end)
      continue
    let [from, to] = [start, end]
    const [open, close] = [before(code, start), after(code, end)]
    if ((code[open] === '[' && code[close] === ']') || (code[open] === '(' && code[close] === ')')) {
      from = open
      while (code[open] === '(' && from > 0 && /[\w$.]/.test(code[from - 1]))
        from--
      to = code[close + 1] === ',' ? close + 2 : close + 1
    }
    found.set(name, (found.get(name) ?? 0) + to - from)
  }
  return found
}

/**
 * What `code.matchAll(LOADER)` finds, without trying `LOADER` at every quote of a first-load chunk
 * of megabytes (25 ms for 3.7 MB). A name holds no bare quote and no line break, so a match starts
 * at most `LONGEST_NAME` characters before a closing quote that `TAIL` finds, on its line, at the
 * same quote: `LOADER` is tried at those offsets alone, and the matches are then taken from left to
 * right without overlaps, as a global search takes them.
 */
export function loaderMatches(code: string): RegExpExecArray[] {
  const tried = new Map<number, RegExpExecArray | null>()
  for (const tail of code.matchAll(TAIL)) {
    const close = tail.index!
    for (let at = close - 1; at >= 0 && at >= close - LONGEST_NAME && code[at] !== '\n'; at--) {
      if (code[at] === code[close] && !tried.has(at)) {
        LOADER_AT.lastIndex = at
        tried.set(at, LOADER_AT.exec(code))
      }
    }
  }
  const matches: RegExpExecArray[] = []
  let from = 0
  for (const at of [...tried.keys()].sort((a, b) => a - b)) {
    const match = tried.get(at)
    if (match && at >= from) {
      matches.push(match)
      from = at + match[0].length
    }
  }
  return matches
}

/** The string a literal's text stands for; `null` for an escape this does not read. */
function nameOf(quote: string, text: string): string | null {
  if (!text.includes('\\'))
    return text
  try {
    return quote === '"' ? JSON.parse(`"${text}"`) : null
  }
  catch {
    return null
  }
}

/**
 * Where the expression that starts at `from` ends: at the first `,`, `)`, `]` or `}` outside the
 * brackets it opens, strings skipped. -1 when it runs past `LONGEST`.
 */
function endOf(code: string, from: number): number {
  let depth = 0
  for (let at = from; at < code.length && at - from < LONGEST; at++) {
    const char = code[at]
    if (char === '"' || char === '\'' || char === '`') {
      at++
      while (at < code.length && code[at] !== char)
        at += code[at] === '\\' ? 2 : 1
    }
    else if (char === '(' || char === '[' || char === '{') {
      depth++
    }
    else if (char === ')' || char === ']' || char === '}' || char === ',') {
      if (depth === 0)
        return at
      if (char !== ',')
        depth--
    }
  }
  return -1
}

/** The index of the last character before `at` that is not white space. */
function before(code: string, at: number): number {
  let index = at - 1
  while (index >= 0 && /\s/.test(code[index]))
    index--
  return index
}

/** The index of the first character at or after `at` that is not white space. */
function after(code: string, at: number): number {
  let index = at
  while (index < code.length && /\s/.test(code[index]))
    index++
  return index
}
