// The advice's reading of an importer: for one eager import, would a marked import work as written?
// Where each binding is used (at the top level, which runs at start-up, or inside a function), and
// the exact edit: the marked import to write, which uses become `await`, which functions become async.
// Parsed like src/core/transform.ts parses a marked file (the bundler's parser, ./scope.ts), so the
// advice matches what the transform then accepts.
import type { Identifier, ImportDeclaration, ImportSpecifier, Node, Program } from 'estree'
import type { SourceMapLike } from './positions'
import type { Parse } from './scope'
import { TraceMap, traceSegment } from '@jridgewell/trace-mapping'
import { RUNTIME_ID } from '../contract'
import { locate } from './positions'
import { ancestorsOf, chainOf, isFunction, keyName, moduleScope } from './scope'

type At<T> = T & { start: number, end: number }

/** An import or re-export statement with a source, as written. */
export interface ImportStatement {
  specifier: string
  start: number
  end: number
  /** The names it imports, when it imports only named exports (`import { a, b as c } from …`). */
  names?: string[]
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
  /** Lines the edit puts first in a function, whose callbacks use the module: `name (line N): const …`. */
  loadsFirst: string[]
  /** `false`: the compiled code could not be mapped back to the file exactly, so there are no edits, and lines are the compiled code's. */
  exact: boolean
}

/** A parsed importer: its import statements, and the advice for any of them. */
export interface Importer {
  imports: ImportStatement[]
  /** `subpaths`: for each name the statement imports, a module of its own to import it from lazily (`date-fns/format`). */
  advise: (statement: ImportStatement, attribute: string, subpaths?: Map<string, string>) => ImportAdvice
}

/**
 * The file the parsed code was compiled from (TypeScript, JSX) and the map back to it. Positions are
 * mapped, then checked: the token must be there in the file, or the advice gives no edit.
 */
export interface Compiled {
  original: string
  map: SourceMapLike
}

/**
 * A TypeScript or JSX file as JavaScript, with the map back: through Vite's Oxc transform where Vite
 * is installed, else TypeScript's `transpileModule`; `undefined` with neither.
 */
export async function compileImporter(original: string, file: string): Promise<{ code: string, compiled: Compiled } | undefined> {
  try {
    const { transformWithOxc } = await import('vite')
    const { code, map } = await transformWithOxc(original, file, { sourcemap: true })
    return { code, compiled: { original, map: map as SourceMapLike } }
  }
  catch {}
  try {
    // Named by a variable: the user's TypeScript, if any, never one the package's build would bundle.
    const typescript = 'typescript'
    const ts = (await import(typescript)).default as typeof import('typescript')
    const { outputText, sourceMapText } = ts.transpileModule(original, { fileName: file, compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, jsx: ts.JsxEmit.React, sourceMap: true } })
    return { code: outputText, compiled: { original, map: JSON.parse(sourceMapText!) } }
  }
  catch {
    return undefined
  }
}

/** Where each position of the parsed code is in the file, if the text there is `token`. */
type Place = (pos: number, token: string) => number | undefined

function placer(code: string, compiled?: Compiled): { text: string, place: Place } {
  if (!compiled)
    return { text: code, place: (pos, token) => code.startsWith(token, pos) ? pos : undefined }
  const { original, map } = compiled
  const tracer = new TraceMap(map as ConstructorParameters<typeof TraceMap>[0])
  const lineStarts = [0]
  for (let at = original.indexOf('\n'); at >= 0; at = original.indexOf('\n', at + 1))
    lineStarts.push(at + 1)
  return {
    text: original,
    place: (pos, token) => {
      const { line, column } = locate(code, pos)
      const segment = traceSegment(tracer, line - 1, column)
      if (!segment || segment.length < 4)
        return undefined
      const at = lineStarts[segment[2]!] + segment[3]! + (column - segment[0])
      return original.startsWith(token, at) ? at : undefined
    },
  }
}

/** `undefined` when the code does not parse as a JavaScript module; `compiled`: the file it was compiled from. */
export function readImporter(code: string, parse: Parse, compiled?: Compiled): Importer | undefined {
  let ast: Program
  let scope: Scope
  try {
    ast = parse(code)
    scope = scopeOf(ast)
  }
  catch {
    return undefined
  }
  const statements = (ast.body as At<Node>[]).filter(node =>
    (node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ExportNamedDeclaration') && node.source)
  const imports = statements.map(node => ({ specifier: String((node as any).source.value), start: node.start, end: node.end, ...namedOnly(node) }))
  return {
    imports,
    advise: (statement, attribute, subpaths) => {
      const node = statements.find(each => each.start === statement.start)!
      return adviseImport(code, node, scope, attribute, placer(code, compiled), subpaths)
    },
  }
}

interface Scope {
  parents: WeakMap<Node, Node>
  /** References to each module-scope binding, by name. */
  references: Map<string, Identifier[]>
  importsLoad: boolean
  /** Every identifier the file names, so a new one is not among them. */
  names: Set<string>
}

function scopeOf(ast: Program): Scope {
  const { parents, references, names } = moduleScope(ast)
  const importsLoad = (ast.body as Node[]).some(node => node.type === 'ImportDeclaration' && node.source.value === RUNTIME_ID
    && node.specifiers.some(spec => spec.type === 'ImportSpecifier' && spec.local.name === 'load'))
  return { parents, references, importsLoad, names }
}

// Long, as the transform's checks are: one walk over an import's uses, each kind of use beside the edit it needs.
function adviseImport(code: string, node: At<Node>, scope: Scope, attribute: string, { text, place }: { text: string, place: Place }, subpaths?: Map<string, string>): ImportAdvice {
  const specifier = String((node as any).source.value)
  const start = place(node.start, code.slice(node.start, node.start + 6))
  // The statement as written in the file: from its start, through its specifier and attributes.
  const written = start === undefined ? undefined : new RegExp(`[\\s\\S]*?(['"])${specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1(?:\\s*(?:with|assert)\\s*\\{[^}]*\\})?[ \\t]*;?`, 'y')
  if (written)
    written.lastIndex = start!
  const end = written?.exec(text) ? written.lastIndex : undefined
  let exact = end !== undefined
  const at = (pos: number, token: string) => {
    const found = exact ? place(pos, token) : undefined
    exact &&= found !== undefined
    return found
  }
  const { line, column } = exact ? locate(text, start!) : locate(code, node.start)
  const statement = exact ? text.slice(start, end) : code.slice(node.start, node.end)
  const advice: ImportAdvice = { line, column, statement, write: null, uses: [], edits: [], problem: null, madeAsync: [], loadsFirst: [], exact }
  if (node.type !== 'ImportDeclaration') {
    advice.problem = `it is re-exported (\`export … from\`), which cannot be marked lazy: import it where it is used instead`
    return advice
  }
  if (!node.specifiers.length) {
    advice.problem = 'it is imported for its side effects only: a marked import needs a binding to load it through'
    return advice
  }
  advice.write = subpaths ? subpathImports(node as At<ImportDeclaration>, statement, subpaths, attribute) : markedImport(statement, specifier, attribute)
  const edits: ImportAdvice['edits'] = [{ start: start!, end: end!, text: advice.write }]
  const asyncAt = new Map<number, string>()
  const hoisted = new Map<Fn, Map<string, Hoist>>()
  let needsLoad = false
  for (const spec of node.specifiers) {
    const namespace = spec.type === 'ImportNamespaceSpecifier'
    for (const id of (scope.references.get(spec.local.name) ?? []) as At<Identifier>[]) {
      const { use, problem, makeAsync, hoist } = useOf(code, id, scope, namespace)
      const placed = at(id.start, id.name)
      if (placed !== undefined) {
        Object.assign(use, locate(text, placed), { start: placed + use.start - id.start, end: placed + use.end - id.start })
        if (/<\/?\s*$/.test(text.slice(Math.max(0, placed - 3), placed)))
          advice.problem ??= `\`${id.name}\` is used as a JSX element (line ${use.line}), which a lazy binding cannot be: load the component with React.lazy or Suspense instead`
      }
      advice.uses.push(use)
      advice.problem ??= problem ?? null
      if (use.where === 'top level' || problem)
        continue
      needsLoad ||= namespace
      if (use.write !== null)
        edits.push({ start: use.start, end: use.end, text: use.write })
      if (hoist) {
        const lines = hoisted.get(hoist.fn) ?? new Map<string, Hoist>()
        const first = lines.get(id.name)
        // One line per function and binding: later uses take the first one's name.
        if (first) {
          edits.at(-1)!.text = edits.at(-1)!.text.replace(hoist.name, first.name)
          use.after = use.after!.replace(hoist.name, first.name)
        }
        else {
          lines.set(id.name, hoist)
          scope.names.add(hoist.name)
        }
        hoisted.set(hoist.fn, lines)
      }
      const fn = makeAsync && at(makeAsync.at, /^[\w$]+|^./.exec(code.slice(makeAsync.at))![0])
      if (makeAsync && fn !== undefined)
        asyncAt.set(fn, makeAsync.name)
    }
  }
  for (const [fn, lines] of hoisted) {
    const body = [...lines.values()].map(hoist => hoist.line)
    const placed = place(fn.start, /^[\w$]+|^./.exec(code.slice(fn.start))![0])
    const fnLine = placed === undefined ? locate(code, fn.start).line : locate(text, placed).line
    advice.loadsFirst.push(...body.map(line => `${functionName(fn, scope.parents.get(fn)) ?? 'the function'} (line ${fnLine}): ${line}`))
    edits.push(...firstLines(code, text, fn, body, at))
  }
  for (const [pos, name] of asyncAt) {
    edits.push({ start: pos, end: pos, text: 'async ' })
    advice.madeAsync.push(`${name} (line ${locate(text, pos).line})`)
  }
  if (needsLoad && !scope.importsLoad)
    edits.push({ start: start!, end: start!, text: `import { load } from '${RUNTIME_ID}'\n` })
  advice.uses.sort((a, b) => a.line - b.line || a.column - b.column)
  advice.exact = exact
  advice.edits = exact && !advice.problem ? edits.sort((a, b) => b.start - a.start || b.end - a.end) : []
  return advice
}

/** The statement with the marker added to its attributes, or an attribute list added after its specifier. */
export function markedImport(statement: string, specifier: string, attribute: string): string {
  const marker = `${attribute}: 'true'`
  const quoted = new RegExp(`(['"])${specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1(\\s*(?:with|assert)\\s*\\{([^}]*)\\})?`)
  return statement.replace(quoted, (all, _quote, attributes, list) => attributes
    ? all.replace(/\s*\}$/, `${list.trim() ? ',' : ''} ${marker} }`).replace(/\{\s+,/, '{')
    : `${all} with { ${marker} }`)
}

/**
 * One marked import per name, each from its own module: `import { format } from 'date-fns'` becomes
 * `import { format } from 'date-fns/format' with { lazy: 'true' }`. A lazy import keeps every export
 * of what it imports, so marking the package's index would put all of the package in the lazy chunk,
 * where the first load held only what it used.
 */
function subpathImports(node: ImportDeclaration, statement: string, subpaths: Map<string, string>, attribute: string): string {
  const quote = statement.includes(`"${String(node.source.value)}"`) ? '"' : '\''
  const end = /;\s*$/.test(statement) ? ';' : ''
  return (node.specifiers as ImportSpecifier[]).map((spec) => {
    const imported = keyName(spec.imported)
    const binding = imported === spec.local.name ? imported : `${/^[A-Z_$][\w$]*$/i.test(imported) ? imported : JSON.stringify(imported)} as ${spec.local.name}`
    const source = subpaths.get(imported)!
    return markedImport(`import { ${binding} } from ${quote}${source}${quote}${end}`, source, attribute)
  }).join('\n')
}

/** The imported names of an import of named exports only; nothing for any other statement. */
function namedOnly(node: Node): { names?: string[] } {
  if (node.type !== 'ImportDeclaration' || !node.specifiers.length || !node.specifiers.every(spec => spec.type === 'ImportSpecifier'))
    return {}
  return { names: (node.specifiers as ImportSpecifier[]).map(spec => keyName(spec.imported)) }
}


type Fn = At<Node> & { async?: boolean, generator?: boolean, id?: Identifier | null }

/**
 * Calls that run a callback later, whose result they ignore: a callback given to them may become
 * async. A callback given to any other call (`map`, `forEach`, `new Promise`) runs before the call
 * returns, or its result is used, so `await` goes in the function around that call instead.
 */
const LATER = new Set(['addEventListener', 'on', 'once', 'then', 'catch', 'finally', 'setTimeout', 'setInterval', 'requestAnimationFrame', 'requestIdleCallback', 'queueMicrotask', 'subscribe', 'watch', 'onMounted', 'useEffect'])

/** Whether a sync function runs where it is (an IIFE) or as a callback that must stay sync. */
function runsInPlace(fn: Fn, owner: Node | undefined): boolean {
  if (owner?.type === 'CallExpression' && owner.callee === fn)
    return true
  if ((owner?.type === 'CallExpression' || owner?.type === 'NewExpression') && owner.arguments.includes(fn as any)) {
    const callee = owner.callee
    const name = callee.type === 'Identifier' ? callee.name : callee.type === 'MemberExpression' && callee.property.type === 'Identifier' ? callee.property.name : ''
    return owner.type === 'NewExpression' || !LATER.has(name)
  }
  return false
}

/** A use inside a callback that must stay sync: the module is loaded at the start of the function around it. */
export interface Hoist { fn: Fn, name: string, line: string }

/** One use of a binding: where it runs, what to write, and which function must become async. */
function useOf(code: string, id: At<Identifier>, scope: Scope, namespace: boolean) {
  const { parents } = scope
  const ancestors = ancestorsOf(id, parents)
  const functions = ancestors.filter(isFunction).reverse() as Fn[]
  // The function the await goes in: the nearest one that is async, or that may become async.
  const fn = functions.find(each => each.async || !runsInPlace(each, parents.get(each)))
  const parent = ancestors.at(-1)
  const { line, column } = locate(code, id.start)
  const chain = awaitedChain(id, ancestors)
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
  let hoist: Hoist | undefined
  if (fn !== functions[0] && !chain.underAwait) {
    const name = freeName(`${id.name}Loaded`, scope.names)
    hoist = { fn, name, line: `const ${name} = await ${namespace ? `load(${id.name})` : id.name}` }
    use.write = shorthand ? `${id.name}: ${name}` : name
  }
  else if (namespace) {
    use.write = shorthand ? `${id.name}: (await load(${id.name}))` : `(await load(${id.name}))`
  }
  else if (chain.statement) {
    Object.assign(use, { start: chain.start, end: chain.start, write: 'await ' })
  }
  else if (!chain.underAwait) {
    use.write = shorthand ? `${id.name}: (await ${id.name})` : `(await ${id.name})`
  }
  if (use.write !== null)
    use.after = use.write === 'await ' ? `await ${use.code}` : `${use.write}${use.code.slice(id.end - chain.start)}`
  const at = fn.async ? undefined : asyncPosition(fn, owner)
  return { use, hoist, makeAsync: at === undefined ? undefined : { at, name: use.function ?? 'a function' } }
}

/** `name`, or `name2`, `name3`…: one no binding of the file has. */
function freeName(name: string, taken: Set<string>): string {
  let free = name
  for (let n = 2; taken.has(free); n++)
    free = `${name}${n}`
  return free
}

/**
 * Insertions that put `lines` first in a function's body, in the file: after its `{`, indented as its
 * first statement; a concise arrow body becomes a block that returns it. `at` maps and checks a position.
 */
function firstLines(code: string, text: string, fn: Fn, lines: string[], at: (pos: number, token: string) => number | undefined): { start: number, end: number, text: string }[] {
  const token = (pos: number) => /^[\w$]+|^./.exec(code.slice(pos))![0]
  const body = (fn as any).body as At<Node>
  if (body.type === 'BlockStatement') {
    const first = ((body as any).body[0] as At<Node> | undefined)?.start ?? body.end - 1
    const [open, firstAt] = [at(body.start, '{'), at(first, token(first))]
    if (open === undefined || firstAt === undefined)
      return []
    const indent = /[ \t]*$/.exec(text.slice(0, firstAt))![0]
    return [{ start: open + 1, end: open + 1, text: lines.map(line => `\n${indent}${line}`).join('') }]
  }
  let start = code.lastIndexOf('=>', body.start) + 2
  while (/\s/.test(code[start]))
    start++
  const [from, to] = [at(start, token(start)), at(fn.end - 1, code[fn.end - 1])]
  if (from === undefined || to === undefined)
    return []
  return [{ start: from, end: from, text: `{ ${lines.join('; ')}; return ` }, { start: to + 1, end: to + 1, text: ' }' }]
}

/**
 * The member and call chain the identifier heads (`f(x)`, `a.b.c()`), whether `await` is already
 * on it, and whether its value is unused or returned (so `await chain` keeps the meaning).
 */
function awaitedChain(id: At<Identifier>, ancestors: Node[]) {
  const { chain, holder: parent } = chainOf(id, ancestors)
  const child = chain as At<Node>
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
