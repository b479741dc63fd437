// The advice's reading of an importer: for one eager import, would a marked import work as written?
// Where each binding is used (at the top level, which runs at start-up, or inside a function), and
// the exact edit: the marked import to write, which uses become `await`, which functions become async.
// Parsed like src/core/transform.ts parses a marked file (acorn, eslint-scope), so the advice matches
// what the transform then accepts.
import type { Identifier, ImportDeclaration, Node, Program } from 'estree'
import { Parser } from 'acorn'
import { analyze } from 'eslint-scope'
import { walk } from 'estree-walker'
import { RUNTIME_ID } from '../contract'
import { locate } from './positions'

type At<T> = T & { start: number, end: number }

/** An import or re-export statement with a source, as written. */
export interface ImportStatement {
  specifier: string
  start: number
  end: number
}

export interface ImportUse {
  start: number
  end: number
  line: number
  column: number
  code: string
  /** What replaces `[start, end)`; `null`: no change. */
  write: string | null
  /** `code` as it must read. */
  after: string | null
  where: 'top level' | 'function' | 'async function'
  function: string | null
}

export interface ImportAdvice {
  line: number
  column: number
  statement: string
  write: string | null
  uses: ImportUse[]
  /** Offsets into the code, applied from the end: the import, the uses, `async` on functions, the `load` import. */
  edits: { start: number, end: number, text: string }[]
  problem: string | null
  /** Functions the edit makes async, as `name (line N)`. */
  madeAsync: string[]
}

/** A parsed importer: its import statements, and the advice for any of them. */
export interface Importer {
  imports: ImportStatement[]
  advise: (statement: ImportStatement, attribute: string) => ImportAdvice
}

/** `undefined` when the code is not JavaScript acorn reads (TypeScript, JSX). */
export function readImporter(code: string): Importer | undefined {
  let ast: Program
  try {
    ast = Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true, ranges: true }) as unknown as Program
  }
  catch {
    return undefined
  }
  const statements = (ast.body as At<Node>[]).filter(node =>
    (node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ExportNamedDeclaration') && node.source)
  const imports = statements.map(node => ({ specifier: String((node as any).source.value), start: node.start, end: node.end }))
  let scope: Scope | undefined
  return {
    imports,
    advise: (statement, attribute) => {
      scope ??= scopeOf(ast)
      const node = statements.find(each => each.start === statement.start)!
      return adviseImport(code, node, scope, attribute)
    },
  }
}

interface Scope {
  parents: WeakMap<Node, Node>
  /** References to each module-scope binding, by name. */
  references: Map<string, At<Identifier>[]>
  importsLoad: boolean
}

function scopeOf(ast: Program): Scope {
  const parents = new WeakMap<Node, Node>()
  walk(ast, {
    enter(node, parent) {
      if (parent)
        parents.set(node, parent)
    },
  })
  const module = analyze(ast, { ecmaVersion: 2022, sourceType: 'module' }).globalScope!.childScopes[0]
  const references = new Map(module.variables.map(variable => [variable.name, variable.references.map(reference => reference.identifier as At<Identifier>)]))
  const importsLoad = (ast.body as Node[]).some(node => node.type === 'ImportDeclaration' && node.source.value === RUNTIME_ID
    && node.specifiers.some(spec => spec.type === 'ImportSpecifier' && spec.local.name === 'load'))
  return { parents, references, importsLoad }
}

function adviseImport(code: string, node: At<Node>, scope: Scope, attribute: string): ImportAdvice {
  const { line, column } = locate(code, node.start)
  const statement = code.slice(node.start, node.end)
  const advice: ImportAdvice = { line, column, statement, write: null, uses: [], edits: [], problem: null, madeAsync: [] }
  if (node.type !== 'ImportDeclaration') {
    advice.problem = `it is re-exported (\`export … from\`), which cannot be marked lazy: import it where it is used instead`
    return advice
  }
  if (!node.specifiers.length) {
    advice.problem = 'it is imported for its side effects only: a marked import needs a binding to load it through'
    return advice
  }
  advice.write = markedImport(code, node as At<ImportDeclaration>, attribute)
  advice.edits.push({ start: node.start, end: node.end, text: advice.write })
  const asyncAt = new Map<number, string>()
  let needsLoad = false
  for (const spec of node.specifiers) {
    const namespace = spec.type === 'ImportNamespaceSpecifier'
    for (const id of scope.references.get(spec.local.name) ?? []) {
      const use = useOf(code, id, scope.parents, namespace)
      advice.uses.push(use.use)
      if (use.problem)
        advice.problem ??= use.problem
      if (use.use.where === 'top level' || use.problem)
        continue
      needsLoad ||= namespace
      if (use.use.write !== null)
        advice.edits.push({ start: use.use.start, end: use.use.end, text: use.use.write })
      if (use.makeAsync)
        asyncAt.set(use.makeAsync.at, use.makeAsync.name)
    }
  }
  for (const [at, name] of asyncAt) {
    advice.edits.push({ start: at, end: at, text: 'async ' })
    advice.madeAsync.push(`${name} (line ${locate(code, at).line})`)
  }
  if (needsLoad && !scope.importsLoad)
    advice.edits.push({ start: node.start, end: node.start, text: `import { load } from '${RUNTIME_ID}'\n` })
  advice.uses.sort((a, b) => a.start - b.start)
  advice.edits.sort((a, b) => b.start - a.start || b.end - a.end)
  return advice
}

/** The statement with the marker added to its attributes, or an attribute list added. */
function markedImport(code: string, node: At<ImportDeclaration>, attribute: string): string {
  const text = code.slice(node.start, node.end)
  const marker = `${attribute}: 'true'`
  const attributes = (node as any).attributes as At<Node>[] | undefined
  if (attributes?.length) {
    const last = attributes.at(-1)!
    return `${code.slice(node.start, last.end)}, ${marker}${code.slice(last.end, node.end)}`
  }
  const source = node.source as At<Node>
  return `${code.slice(node.start, source.end)} with { ${marker} }${text.slice(source.end - node.start)}`
}

type Fn = At<Node> & { async?: boolean, generator?: boolean, id?: Identifier | null }

function isFunction(node: Node): node is Fn {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression'
}

/** One use of a binding: where it runs, what to write, and which function must become async. */
function useOf(code: string, id: At<Identifier>, parents: WeakMap<Node, Node>, namespace: boolean) {
  const ancestors: Node[] = []
  for (let node = parents.get(id); node; node = parents.get(node))
    ancestors.unshift(node)
  const fn = [...ancestors].reverse().find(isFunction)
  const parent = ancestors.at(-1)
  const { line, column } = locate(code, id.start)
  const chain = chainOf(id, ancestors)
  const use: ImportUse = { start: id.start, end: id.end, line, column, code: code.slice(chain.start, chain.end), write: null, after: null, where: 'top level', function: null }
  if (parent?.type === 'ExportSpecifier')
    return { use, problem: `\`${id.name}\` is exported again (line ${line}): importers would get a lazy binding` }
  if (!fn)
    return { use }
  const owner = parents.get(fn)
  use.function = functionName(fn, owner)
  use.where = fn.async ? 'async function' : 'function'
  if (!fn.async && (fn.generator || (owner?.type === 'MethodDefinition' && owner.kind !== 'method') || (owner?.type === 'Property' && owner.kind !== 'init')))
    return { use, problem: `\`${id.name}\` is used in ${use.function ?? 'a function'} (line ${line}), which cannot become async (a getter, setter, constructor or generator)` }
  const shorthand = parent?.type === 'Property' && parent.shorthand && parent.value === id
  if (namespace)
    use.write = shorthand ? `${id.name}: (await load(${id.name}))` : `(await load(${id.name}))`
  else if (chain.underAwait)
    use.write = null
  else if (chain.statement)
    Object.assign(use, { start: chain.start, end: chain.start, write: 'await ' })
  else
    use.write = shorthand ? `${id.name}: (await ${id.name})` : `(await ${id.name})`
  if (use.write !== null)
    use.after = use.write === 'await ' ? `await ${use.code}` : `${use.write}${use.code.slice(id.end - chain.start)}`
  const at = fn.async ? undefined : asyncPosition(fn, owner)
  return { use, makeAsync: at === undefined ? undefined : { at, name: use.function ?? 'a function' } }
}

/**
 * The member and call chain the identifier heads (`f(x)`, `a.b.c()`), whether `await` is already
 * on it, and whether its value is unused or returned (so `await chain` keeps the meaning).
 */
function chainOf(id: At<Identifier>, ancestors: Node[]) {
  let child: At<Node> = id
  let depth = ancestors.length - 1
  while (depth >= 0) {
    const node = ancestors[depth] as At<Node>
    const continues = (node.type === 'MemberExpression' && node.object === child) || (node.type === 'CallExpression' && node.callee === child) || node.type === 'ChainExpression'
    if (!continues)
      break
    child = node
    depth--
  }
  const parent = ancestors[depth]
  const underAwait = parent?.type === 'AwaitExpression' && parent.argument === child
  const isCall = child !== id && child.type !== 'MemberExpression'
  // Where the value is dropped or returned, `await f(x)` means `(await f)(x)` and reads better.
  const statement = isCall && ((parent?.type === 'ExpressionStatement' && parent.expression === child) || (parent?.type === 'ReturnStatement' && parent.argument === child) || (parent?.type === 'ArrowFunctionExpression' && parent.body === child))
  return { start: child.start, end: child.end, underAwait, statement }
}

function functionName(fn: Fn, owner: Node | undefined): string | null {
  if (fn.id)
    return fn.id.name
  if ((owner?.type === 'MethodDefinition' || owner?.type === 'Property') && owner.key.type === 'Identifier')
    return owner.key.name
  if (owner?.type === 'VariableDeclarator' && owner.id.type === 'Identifier')
    return owner.id.name
  if (owner?.type === 'AssignmentExpression' && owner.left.type === 'MemberExpression' && owner.left.property.type === 'Identifier')
    return owner.left.property.name
  return null
}

/** Where `async ` goes: before `function`, before an arrow's parameters, before a method's name. */
function asyncPosition(fn: Fn, owner: Node | undefined): number {
  if ((owner?.type === 'MethodDefinition' || (owner?.type === 'Property' && (owner.method))) && owner.value === fn)
    return (owner.key as At<Node>).start - ((owner as any).computed ? 1 : 0)
  return fn.start
}
