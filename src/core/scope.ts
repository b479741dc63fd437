// Reading a parsed module the way both the transform and the advice need it: each node's parent,
// and the member or call chain an identifier heads, to tell `await f(x)` from a bare `f(x)`.
import type { ArrowFunctionExpression, FunctionDeclaration, FunctionExpression, Node, Program } from 'estree'
import { walk } from 'estree-walker'

/** Each node's parent; `visit` sees every node on the way. */
export function parentsOf(ast: Program, visit?: (node: Node) => void): WeakMap<Node, Node> {
  const parents = new WeakMap<Node, Node>()
  walk(ast, {
    enter(node, parent) {
      if (parent)
        parents.set(node, parent)
      visit?.(node)
    },
  })
  return parents
}

/** The nodes around `node`, outermost first. */
export function ancestorsOf(node: Node, parents: WeakMap<Node, Node>): Node[] {
  const ancestors: Node[] = []
  for (let each = parents.get(node); each; each = parents.get(each))
    ancestors.unshift(each)
  return ancestors
}

/**
 * The chain `id` heads (`f`, `f(x)`, `a.b.c()`, `a?.b`), and the node that holds it: `await` makes
 * it `await f(x)`.
 */
export function chainOf(id: Node, ancestors: Node[]): { chain: Node, holder: Node | undefined } {
  let chain = id
  let depth = ancestors.length - 1
  for (; depth >= 0; depth--) {
    const node = ancestors[depth]
    const continues = (node.type === 'MemberExpression' && node.object === chain)
      || (node.type === 'CallExpression' && node.callee === chain)
      || node.type === 'ChainExpression'
    if (!continues)
      break
    chain = node
  }
  return { chain, holder: ancestors[depth] }
}

export function isFunction(node: Node): node is FunctionDeclaration | FunctionExpression | ArrowFunctionExpression {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression'
}
