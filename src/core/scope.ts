// Reading a parsed module the way both the transform and the advice need it: which identifiers refer
// to a module-scope binding (a shadowing local is not one), each node's parent, and the member or
// call chain an identifier heads, to tell `await f(x)` from a bare `f(x)`. Our own resolver, not
// eslint-scope: a module needs only "which binding does this name reach", and loading eslint-scope
// and its helpers cost a build more than the rest of the transform (bench/build.md).
import type { ArrowFunctionExpression, FunctionDeclaration, FunctionExpression, Identifier, Node, Pattern, Program } from 'estree'

export type Parse = (code: string) => Program

export interface ModuleScope {
  /** Each node's parent. */
  parents: WeakMap<Node, Node>
  /** References to each module-scope binding (imports, top-level declarations), by name, in source order. */
  references: Map<string, Identifier[]>
  /** References to names the file declares nowhere (globals, or mistakes), in source order. */
  through: Identifier[]
  /** Every identifier the file names, declared, referenced or a property's. */
  names: Set<string>
}

interface Scope {
  names: Set<string>
  parent: Scope | undefined
  /** A function's scope (or the module's), where `var` lands. */
  hoists: boolean
}

type Located = Node & { start: number }

/**
 * One walk: declarations go into their scopes, references wait until every declaration is known
 * (hoisting). Throws a `SyntaxError` with its `pos` at a `with` statement, which a module may not
 * have and which would hide which binding a name reaches (Rolldown's parser lets it through).
 * Long, as one switch over the nodes that declare names or open a scope; any other node is walked
 * through its children.
 */
export function moduleScope(ast: Program): ModuleScope {
  const parents = new WeakMap<Node, Node>()
  const names = new Set<string>()
  const pending: [Identifier, Scope][] = []
  const module: Scope = { names: new Set(), parent: undefined, hoists: true }

  const enter = (parent: Scope, hoists = false): Scope => ({ names: new Set(), parent, hoists })
  const hoisting = (scope: Scope) => {
    while (!scope.hoists)
      scope = scope.parent!
    return scope
  }
  const link = (node: Node | null | undefined, parent: Node) => {
    if (!node)
      return
    parents.set(node, parent)
    if (node.type === 'Identifier')
      names.add(node.name)
  }

  /** Any node in an expression or statement position. */
  function visit(node: Node | null | undefined, parent: Node | undefined, scope: Scope): void {
    if (!node)
      return
    if (parent)
      link(node, parent)
    switch (node.type) {
      case 'Identifier':
        pending.push([node, scope])
        return
      case 'ImportDeclaration':
        for (const spec of node.specifiers) {
          link(spec, node)
          link(spec.local, spec)
          if (spec.type === 'ImportSpecifier')
            link(spec.imported, spec)
          module.names.add(spec.local.name)
        }
        link(node.source, node)
        return
      case 'ExportNamedDeclaration':
        visit(node.declaration, node, scope)
        for (const spec of node.specifiers) {
          link(spec, node)
          link(spec.exported, spec)
          // `export { a } from './b'` names the other module's binding, not one of this file's.
          if (node.source)
            link(spec.local, spec)
          else
            visit(spec.local, spec, scope)
        }
        link(node.source, node)
        return
      case 'ExportAllDeclaration':
        link(node.exported, node)
        link(node.source, node)
        return
      case 'VariableDeclaration': {
        const into = node.kind === 'var' ? hoisting(scope) : scope
        for (const declarator of node.declarations) {
          link(declarator, node)
          declare(declarator.id, declarator, into, scope)
          visit(declarator.init, declarator, scope)
        }
        return
      }
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const inner = enter(scope, true)
        if (node.type !== 'ArrowFunctionExpression')
          inner.names.add('arguments')
        if (node.type !== 'ArrowFunctionExpression' && node.id)
          declare(node.id, node, node.type === 'FunctionDeclaration' ? scope : inner, inner)
        for (const param of node.params)
          declare(param, node, inner, inner)
        // The body's declarations share the parameters' scope.
        if (node.body.type === 'BlockStatement') {
          link(node.body, node)
          for (const statement of node.body.body)
            visit(statement, node.body, inner)
        }
        else {
          visit(node.body, node, inner)
        }
        return
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        // A class sees its own name in a scope of its own, as a declared class is also seen outside.
        const inner = enter(scope)
        if (node.id) {
          declare(node.id, node, inner, inner)
          if (node.type === 'ClassDeclaration')
            scope.names.add(node.id.name)
        }
        visit(node.superClass, node, inner)
        visit(node.body, node, inner)
        return
      }
      case 'BlockStatement':
      case 'StaticBlock': {
        const inner = enter(scope, node.type === 'StaticBlock')
        for (const statement of node.body)
          visit(statement, node, inner)
        return
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
        children(node, enter(scope))
        return
      case 'SwitchStatement': {
        visit(node.discriminant, node, scope)
        const inner = enter(scope)
        for (const each of node.cases)
          visit(each, node, inner)
        return
      }
      case 'CatchClause': {
        const inner = enter(scope)
        if (node.param)
          declare(node.param, node, inner, inner)
        visit(node.body, node, inner)
        return
      }
      case 'MemberExpression':
        visit(node.object, node, scope)
        if (node.computed)
          visit(node.property, node, scope)
        else
          link(node.property, node)
        return
      case 'Property':
      case 'PropertyDefinition':
      case 'MethodDefinition':
        if (node.computed)
          visit(node.key, node, scope)
        else
          link(node.key, node)
        visit(node.value as Node | null, node, scope)
        return
      case 'LabeledStatement':
        link(node.label, node)
        visit(node.body, node, scope)
        return
      case 'BreakStatement':
      case 'ContinueStatement':
        link(node.label, node)
        return
      case 'WithStatement':
        throw Object.assign(new SyntaxError('a `with` statement is not allowed in a module (strict mode)'), { pos: (node as Located).start })
      case 'MetaProperty':
        link(node.meta, node)
        link(node.property, node)
        return
      default:
        children(node, scope)
    }
  }

  function children(node: Node, scope: Scope) {
    for (const key in node) {
      const value = (node as any)[key]
      if (Array.isArray(value)) {
        for (const each of value) {
          if (each && typeof each.type === 'string')
            visit(each, node, scope)
        }
      }
      else if (value && typeof value.type === 'string' && key !== 'loc') {
        visit(value, node, scope)
      }
    }
  }

  /** A binding pattern: its names go `into`; its defaults and computed keys are read in `scope`. */
  function declare(pattern: Pattern | Node, parent: Node, into: Scope, scope: Scope): void {
    link(pattern, parent)
    switch (pattern.type) {
      case 'Identifier':
        into.names.add(pattern.name)
        return
      case 'ObjectPattern':
        for (const property of pattern.properties) {
          link(property, pattern)
          if (property.type === 'RestElement') {
            declare(property.argument, property, into, scope)
            continue
          }
          if (property.computed)
            visit(property.key, property, scope)
          else
            link(property.key, property)
          declare(property.value, property, into, scope)
        }
        return
      case 'ArrayPattern':
        for (const element of pattern.elements) {
          if (element)
            declare(element, pattern, into, scope)
        }
        return
      case 'AssignmentPattern':
        declare(pattern.left, pattern, into, scope)
        visit(pattern.right, pattern, scope)
        return
      case 'RestElement':
        declare(pattern.argument, pattern, into, scope)
    }
    // No other pattern declares: a member expression is only ever an assignment target, which the
    // walk reads as a reference where it meets one.
  }

  for (const statement of ast.body)
    visit(statement as Node, ast, module)

  const references = new Map<string, Identifier[]>([...module.names].map(name => [name, []]))
  const through: Identifier[] = []
  pending.sort(([a], [b]) => (a as Located).start - (b as Located).start)
  for (const [id, from] of pending) {
    let scope: Scope | undefined = from
    while (scope && !scope.names.has(id.name))
      scope = scope.parent
    if (scope === module)
      references.get(id.name)!.push(id)
    else if (!scope)
      through.push(id)
  }
  return { parents, references, through, names }
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

/** The name an identifier or a string literal gives: an import's or export's name, an attribute's key. */
export function keyName(node: { type: string, name?: string, value?: unknown }): string {
  return node.type === 'Identifier' ? node.name! : String(node.value)
}
