// What a lazy module costs the first load: its loader, a name beside an `import()`, where the first
// load carries it (a registered module's line in the registry, a marked one's lazy handle in its
// importer). Measured on the chunks as written, as the difference the loader makes to its chunk's
// gzip size, so that it follows whatever the registry carries and however the bundler wrote it.
import type { Node, Program } from 'estree'
import type { BundleGraph } from '../graph'
import type { SizeCache } from './sizes'
import type { Share } from './types'
import { Parser } from 'acorn'
import { walk } from 'estree-walker'

/** Deflate looks back at most this far: text further from a loader does not change what it costs. */
const WINDOW = 32 * 1024

type Span = [start: number, end: number]

/**
 * For each of `names` whose loader is in a first-load chunk: its bytes there and what they add to
 * the chunk's gzip size. A module without one is left out (its loader is in lazy code, or it has none).
 */
export async function loaderCosts(graph: BundleGraph, names: string[], cache: SizeCache): Promise<Map<string, Share>> {
  const costs = new Map<string, Share>()
  const measured: Promise<void>[] = []
  for (const file of graph.initial) {
    const code = graph.chunks.get(file)?.code ?? ''
    const wanted = new Set(names.filter(name => code.includes(name)))
    for (const [name, spans] of wanted.size ? loaderSpans(code, wanted) : []) {
      measured.push(costOf(code, spans, cache).then((cost) => {
        const known = costs.get(name)
        costs.set(name, known ? { raw: known.raw + cost.raw, gzip: known.gzip + cost.gzip } : cost)
      }))
    }
  }
  await Promise.all(measured)
  return costs
}

/**
 * Where the code names a module beside a function that imports: `[name, () => import(…)]` in the
 * registry's list, `__lazyHandle(name, () => import(…))` in an importer, whatever the minifier made
 * of the names and quotes. A pair that is all of its list is taken whole, with a comma that follows.
 */
function loaderSpans(code: string, names: Set<string>): Map<string, Span[]> {
  const spans = new Map<string, Span[]>()
  let ast: Program
  try {
    ast = Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true }) as unknown as Program
  }
  catch {
    return spans // not JavaScript the parser reads: no loader found, none counted
  }
  walk(ast, {
    enter(node) {
      const items = node.type === 'ArrayExpression' ? node.elements : node.type === 'CallExpression' ? node.arguments : null
      if (!items)
        return
      for (let i = 0; i + 1 < items.length; i++) {
        const [item, next] = [items[i], items[i + 1]]
        const name = stringOf(item)
        if (name === null || !names.has(name) || !next || !importsIn(next))
          continue
        const [start, end] = items.length === 2 ? range(node) : [range(item!)[0], range(next)[1]]
        spans.set(name, [...spans.get(name) ?? [], [start, code[end] === ',' ? end + 1 : end]])
      }
    },
  })
  return spans
}

function stringOf(node: Node | null): string | null {
  if (node?.type === 'Literal' && typeof node.value === 'string')
    return node.value
  if (node?.type === 'TemplateLiteral' && !node.expressions.length)
    return node.quasis[0].value.cooked ?? null
  return null
}

function importsIn(node: Node): boolean {
  if (node.type !== 'ArrowFunctionExpression' && node.type !== 'FunctionExpression')
    return false
  let found = false
  walk(node, {
    enter(inner) {
      if (inner.type === 'ImportExpression')
        found = true
      if (found)
        this.skip()
    },
  })
  return found
}

const range = (node: Node): Span => [(node as unknown as { start: number }).start, (node as unknown as { end: number }).end]

/** The loader's bytes, and the gzip size of its neighbourhood with them less that without them. */
async function costOf(code: string, spans: Span[], cache: SizeCache): Promise<Share> {
  const from = Math.max(0, Math.min(...spans.map(([start]) => start)) - WINDOW)
  const to = Math.min(code.length, Math.max(...spans.map(([, end]) => end)) + WINDOW)
  let without = ''
  let at = from
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    without += code.slice(at, start)
    at = end
  }
  without += code.slice(at, to)
  const [whole, rest] = await Promise.all([cache.measure(code.slice(from, to), false), cache.measure(without, false)])
  return { raw: whole.raw - rest.raw, gzip: Math.max(0, whole.gzip - rest.gzip) }
}
