// What the first load loses when some import edges are cut, for thousands of cuts at once. Walking
// the graph again for each candidate costs modules × candidates (6 s of a 5,000-module build); one
// dominator tree answers them all. Each cut's edges are routed through a node of their own, which
// changes no path; a module is lost with the cut exactly when every path from the entries to it
// passes that node, that is, when the node dominates it.
import type { Share } from './types'

/** Edges from any of `importers` into `target`. */
export interface Cut {
  target: string
  importers: { has: (id: string) => boolean }
}

export interface CutLosses {
  /** What each cut loses, summed by `weight`, in the order of the cuts. */
  saved: Share[]
  /** The modules a cut loses. */
  lost: (cut: number) => Set<string>
}

/**
 * What `roots` reach over `edges`, without the edges `cut` names: one walk, for a cut the dominator
 * tree cannot answer (several targets at once).
 */
export function reachable(roots: string[], edges: Map<string, readonly string[]>, cut?: (from: string, to: string) => boolean): Set<string> {
  const seen = new Set<string>()
  const queue = [...roots]
  while (queue.length) {
    const id = queue.pop()!
    if (seen.has(id))
      continue
    seen.add(id)
    for (const next of edges.get(id) ?? []) {
      if (!cut?.(id, next))
        queue.push(next)
    }
  }
  return seen
}

/**
 * @param roots where the walk starts (they are never lost)
 * @param edges each module's imports; every module the roots reach must have an entry
 * @param cuts at most one per target: two cuts of one target would have to share its edges
 */
export function cutLosses(roots: string[], edges: Map<string, readonly string[]>, cuts: Cut[], weight: (id: string) => Share): CutLosses {
  // Nodes are numbers: 0 the root of roots, then modules, then one node per cut.
  const ids: string[] = ['']
  const index = new Map<string, number>()
  const number = (id: string) => index.get(id) ?? (index.set(id, ids.push(id) - 1), ids.length - 1)
  for (const id of edges.keys())
    number(id)
  for (const targets of edges.values())
    targets.forEach(number)
  const modules = ids.length
  const cutOf = new Map<string, number>()
  cuts.forEach((cut, at) => cutOf.set(cut.target, modules + at))
  const size = modules + cuts.length
  const successors: number[][] = Array.from({ length: size }, () => [])
  successors[0] = [...new Set(roots)].map(number)
  for (const [id, targets] of edges) {
    const from = index.get(id)!
    for (const target of targets) {
      const cut = cutOf.get(target)
      successors[from].push(cut !== undefined && cuts[cut - modules].importers.has(id) ? cut : index.get(target)!)
    }
  }
  for (const [target, cut] of cutOf)
    successors[cut].push(index.get(target)!)

  const { idom, postorder } = dominators(successors)
  // A dominator comes after what it dominates in postorder, so sums flow up in one pass.
  const raw = new Float64Array(size)
  const gzip = new Float64Array(size)
  const children: number[][] = Array.from({ length: size }, () => [])
  for (const node of postorder) {
    if (node > 0 && node < modules) {
      const share = weight(ids[node])
      raw[node] += share.raw
      gzip[node] += share.gzip
    }
    if (node !== 0) {
      raw[idom[node]] += raw[node]
      gzip[idom[node]] += gzip[node]
      children[idom[node]].push(node)
    }
  }
  return {
    saved: cuts.map((_, at) => ({ raw: raw[modules + at], gzip: gzip[modules + at] })),
    lost: (cut) => {
      const lost = new Set<string>()
      const queue = [...children[modules + cut]]
      while (queue.length) {
        const node = queue.pop()!
        if (node < modules)
          lost.add(ids[node])
        queue.push(...children[node])
      }
      return lost
    },
  }
}

/**
 * Immediate dominators from node 0 (Cooper, Harvey and Kennedy, "A Simple, Fast Dominance
 * Algorithm", 2001): plain, and fast on module graphs, which are nearly acyclic. Nodes 0 cannot
 * reach are left out of `postorder`.
 */
export function dominators(successors: number[][]): { idom: Int32Array, postorder: number[] } {
  const size = successors.length
  const order = new Int32Array(size).fill(-1)
  const postorder: number[] = []
  // Iterative depth-first search: a recursive one overflows the stack on a long import chain.
  const visited = new Uint8Array(size)
  const stack: [node: number, next: number][] = [[0, 0]]
  visited[0] = 1
  while (stack.length) {
    const top = stack[stack.length - 1]
    const next = successors[top[0]][top[1]++]
    if (next === undefined) {
      order[top[0]] = postorder.push(top[0]) - 1
      stack.pop()
    }
    else if (!visited[next]) {
      visited[next] = 1
      stack.push([next, 0])
    }
  }
  const predecessors: number[][] = Array.from({ length: size }, () => [])
  for (const node of postorder) {
    for (const next of successors[node])
      predecessors[next].push(node)
  }
  const idom = new Int32Array(size).fill(-1)
  idom[0] = 0
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (order[a] < order[b]) a = idom[a]
      while (order[b] < order[a]) b = idom[b]
    }
    return a
  }
  for (let changed = true; changed;) {
    changed = false
    for (let at = postorder.length - 2; at >= 0; at--) {
      const node = postorder[at]
      let next = -1
      for (const pred of predecessors[node]) {
        if (idom[pred] !== -1)
          next = next === -1 ? pred : intersect(pred, next)
      }
      if (idom[node] !== next) {
        idom[node] = next
        changed = true
      }
    }
  }
  return { idom, postorder }
}
