// Stage 1: rewrite imports marked `with { lazy: 'true' }` so nothing loads until asked.
//
//   import * as pdf from './pdf' with { lazy: 'true' }   →  const pdf = __lazyHandle("src/pdf", () => import("./pdf"))
//   import { save } from './io' with { lazy: 'true' }    →  uses: `await save(x)` → `await (0, (await __lazy_load(h)).save)(x)`
//
// Handles are declared where the first statement was, so like imports they exist before any
// code runs. No line is added or removed, so stack traces stay true. A file that imports the
// runtime is read for its look-ups by a name written out too (./look-ups.ts).
import type { Identifier, ImportDeclaration, Node, Program } from 'estree'
import type { SourceMap } from 'magic-string'
import type { LiteralLookUp } from './look-ups'
import type { ModuleScope, Parse } from './scope'
import MagicString from 'magic-string'
import { init, parse as lex } from 'es-module-lexer'
import { HANDLE_HELPER, RUNTIME_ID } from '../contract'
import { literalLookUps } from './look-ups'
import { markerPattern, RUNTIME_IMPORT } from './marker'
import { ancestorsOf, chainOf, isFunction, keyName, moduleScope } from './scope'

/** A build error with the position it points at (0-based offset into the code). */
export class LazyTransformError extends Error {
  constructor(message: string, readonly pos: number) {
    super(message)
  }
}

export interface MarkedImport {
  source: string
  /** Attributes other than the marker, passed on to `import()`. */
  attributes: Record<string, string>
}

export interface TransformOptions {
  /** The attribute key that marks an import. */
  attribute: string
  /** Turns a marked import into the module's registered name (resolving it as the bundler would). */
  nameOf: (marked: MarkedImport) => string | Promise<string>
  /** The bundler's own parser (native in Rollup 4 and Rolldown): it is loaded and warm already. */
  parse: Parse
}

const PREFIX = '__lazy_'

type Binding = { kind: 'namespace', module: string } | { kind: 'named', module: string, handle: string, member: string }

export interface TransformResult {
  /** The rewritten code, where the file has marked imports. */
  rewritten?: { code: string, map: SourceMap }
  startup: StartupLoad[]
  lookUps: LiteralLookUp[]
}

export async function transformLazyImports(code: string, id: string, options: TransformOptions): Promise<TransformResult | undefined> {
  const hasMarked = markerPattern(options.attribute).test(code) && await hasMarkedImport(code, options.attribute)
  if (!hasMarked && !RUNTIME_IMPORT.test(code))
    return undefined
  if (!hasMarked) {
    // Only calls to check: a file that does not parse is the bundler's to report.
    try {
      const ast = options.parse(code)
      return { startup: [], lookUps: literalLookUps(ast, moduleScope(ast)) }
    }
    catch {
      return undefined
    }
  }
  const ast = parse(code, options.parse)
  const marked = collectMarkedImports(ast, options.attribute)
  const scope = scopeOf(ast)
  const lookUps = literalLookUps(ast, scope)
  if (!marked.length)
    return { startup: [], lookUps }

  const s = new MagicString(code)
  const handles: string[] = []
  // name of each lazy binding in module scope → how a use of it is rewritten
  const bindings = new Map<string, Binding>()

  for (const { node } of marked) {
    if (!node.specifiers.length)
      throw new LazyTransformError(`A lazy import needs a binding to load it through: \`import * as mod from ${JSON.stringify(node.source.value)} with { ${options.attribute}: 'true' }\`, then \`await load(mod)\`. A bare \`import ${JSON.stringify(node.source.value)}\` marked lazy could never run.`, node.start)
  }
  // Resolved side by side: each name may wait on the bundler's resolver.
  const names = await Promise.all(marked.map(({ node, attributes }) => Promise.resolve(options.nameOf({ source: node.source.value as string, attributes })).catch((error: Error) => {
    throw new LazyTransformError(error.message.replace(/^\[lazy-modules\] /, ''), (node.source as unknown as Located).start)
  })))

  for (const [index, { node, attributes }] of marked.entries()) {
    const source = node.source.value as string
    const name = names[index]
    const importCall = `() => import(${JSON.stringify(source)}${Object.keys(attributes).length ? `, { with: ${JSON.stringify(attributes)} }` : ''})`
    const handleExpr = `/* #__PURE__ */ ${HANDLE_HELPER}(${JSON.stringify(name)}, ${importCall})`
    const namespace = node.specifiers.find(spec => spec.type === 'ImportNamespaceSpecifier')
    const handle = namespace ? namespace.local.name : `${PREFIX}${index}`
    handles.push(`const ${handle} = ${handleExpr};`)
    for (const spec of node.specifiers) {
      if (spec.type === 'ImportNamespaceSpecifier')
        bindings.set(spec.local.name, { kind: 'namespace', module: name })
      else if (spec.type === 'ImportDefaultSpecifier')
        bindings.set(spec.local.name, { kind: 'named', module: name, handle, member: '.default' })
      else
        bindings.set(spec.local.name, { kind: 'named', module: name, handle, member: memberAccess(spec.imported) })
    }
    blank(s, code, node)
  }

  const startup = rewriteUses(scope, s, bindings)

  const runtimeImport = `import { ${HANDLE_HELPER}, load as ${PREFIX}load } from ${JSON.stringify(RUNTIME_ID)};`
  const at = insertionPoint(ast)
  // After a directive written without `;`, the inserted import would otherwise continue its line.
  const separator = at > 0 && code[at - 1] !== ';' ? ';' : ''
  s.appendLeft(at, `${separator}${runtimeImport}${handles.join('')}`)
  return {
    rewritten: { code: s.toString(), map: s.generateMap({ source: id, includeContent: true, hires: 'boundary' }) },
    startup,
    lookUps,
  }
}

/**
 * The second filter: es-module-lexer, hundreds of MB/s, confirms an import really carries the
 * attribute before the file is parsed. A file it cannot lex is left to the bundler, which
 * reports its syntax (a CommonJS file whose comment mentions the marker is not ours to parse).
 */
async function hasMarkedImport(code: string, attribute: string): Promise<boolean> {
  await init()
  try {
    const [imports] = lex(code)
    return imports.some(found => 'attributes' in found && found.type !== 'dynamic' && !!found.attributes?.some(([key]: readonly [string, string]) => key === attribute))
  }
  catch {
    return false
  }
}

/** The bundler's parser throws at a syntax error, and the scope at what is one only in a module. */
function parse(code: string, parser: Parse): Program {
  try {
    return parser(code)
  }
  catch (error: any) {
    throw syntaxError(error)
  }
}

function scopeOf(ast: Program): ModuleScope {
  try {
    return moduleScope(ast)
  }
  catch (error: any) {
    throw error.pos === undefined ? error : syntaxError(error)
  }
}

/** The parser's first message, without its own position or code frame: the build error adds both. */
function syntaxError(error: { message: string, pos?: number }): LazyTransformError {
  const message = String(error.message).replace(/^Parse failed with \d+ errors?:\n/, '').split('\n')[0].replace(/ \(\d+:\d+\)$/, '')
  return new LazyTransformError(`Could not parse: ${message}`, error.pos ?? 0)
}

interface Located { start: number, end: number }
type At<T> = T & Located

function collectMarkedImports(ast: Program, attribute: string) {
  const marked: { node: At<ImportDeclaration>, attributes: Record<string, string> }[] = []
  for (const statement of ast.body as At<Node>[]) {
    if (statement.type !== 'ImportDeclaration' && statement.type !== 'ExportAllDeclaration' && statement.type !== 'ExportNamedDeclaration')
      continue
    const list = (statement as any).attributes as { key: any, value: any, start: number }[] | undefined
    const marker = list?.find(attr => keyName(attr.key) === attribute)
    if (!marker)
      continue
    if (marker.value.value !== 'true' && marker.value.value !== 'false')
      throw new LazyTransformError(`The \`${attribute}\` import attribute must be 'true' or 'false', got ${JSON.stringify(marker.value.value)}.`, marker.start)
    if (marker.value.value === 'false')
      continue
    if (statement.type !== 'ImportDeclaration')
      throw new LazyTransformError(`\`export … from\` cannot be marked \`${attribute}\`: a re-exported handle would escape the checks that keep its uses safe. Import it with \`import * as mod from … with { ${attribute}: 'true' }\` where it is used, or register it by name under \`modules\`.`, statement.start)
    const attributes: Record<string, string> = {}
    for (const attr of list!) {
      if (attr !== marker)
        attributes[keyName(attr.key)] = attr.value.value
    }
    marked.push({ node: statement as At<ImportDeclaration>, attributes })
  }
  return marked
}

function memberAccess(imported: Identifier | { type: 'Literal', value?: unknown }): string {
  const name = keyName(imported)
  return /^[A-Z_$][\w$]*$/i.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`
}

/** Removes a statement but keeps its line breaks, so every later line keeps its number. */
function blank(s: MagicString, code: string, node: Located) {
  s.remove(node.start, node.end)
  const breaks = code.slice(node.start, node.end).split('\n').length - 1
  if (breaks)
    s.appendLeft(node.start, '\n'.repeat(breaks))
}

/** After the directive prologue (`'use client'` must stay first), else before the first statement. */
function insertionPoint(ast: Program): number {
  const body = ast.body as At<Node>[]
  const directives = body.filter(node => node.type === 'ExpressionStatement' && 'directive' in node)
  if (directives.length)
    return directives.at(-1)!.end
  return body[0]?.start ?? 0
}

/** Finds every reference to a lazy binding, by real scope analysis: a shadowing local is not one. */
/** A lazy module loaded by code outside any function: it loads when its importer does. */
export interface StartupLoad {
  module: string
  /** Offset of the use. */
  pos: number
  /** The code that loads it, as written. */
  use: string
}

/** Rewrites the uses of lazy bindings; returns those that load a module as soon as the file runs. */
function rewriteUses({ parents, references, through }: ModuleScope, s: MagicString, bindings: Map<string, Binding>): StartupLoad[] {
  // Direct eval sees the module's bindings by name, and the rewrite replaces lazy ones.
  const directEval = through.find((identifier) => {
    const parent = parents.get(identifier)
    return identifier.name === 'eval' && parent?.type === 'CallExpression' && parent.callee === identifier
  })
  if (directEval)
    throw new LazyTransformError(`Direct \`eval\` in a file with lazy imports could reach a lazy binding by name, which the rewrite replaces. Move the eval to a file without lazy imports, or use indirect eval: \`(0, eval)(code)\`.`, (directEval as At<Identifier>).start)
  // `await load(ns)` with `load` never imported builds fine and throws at run time: catch it here.
  for (const identifier of through) {
    const call = parents.get(identifier)
    const argument = call?.type === 'CallExpression' && call.callee === identifier ? call.arguments[0] : undefined
    if ((identifier.name === 'load' || identifier.name === 'preload') && argument?.type === 'Identifier' && bindings.get(argument.name)?.kind === 'namespace')
      throw new LazyTransformError(`\`${identifier.name}\` is not imported, so \`${identifier.name}(${argument.name})\` would throw at run time. Add \`import { ${identifier.name} } from '${RUNTIME_ID}'\` to this file.`, (identifier as At<Identifier>).start)
  }
  const startup: StartupLoad[] = []
  const uses = [...bindings.keys()]
    .flatMap(name => (references.get(name) ?? []) as At<Identifier>[])
    .sort((a, b) => a.start - b.start)
  for (const id of uses) {
    const ancestors = ancestorsOf(id, parents)
    const stack = [...ancestors, id]
    const binding = bindings.get(id.name)!
    if (binding.kind === 'namespace')
      checkHandleUse(id, stack)
    else
      rewriteNamedUse(id, stack, binding, s)
    if (!ancestors.some(isFunction) && (binding.kind === 'named' || isLoadCall(ancestors.at(-1), id)))
      startup.push({ module: binding.module, pos: id.start, use: binding.kind === 'named' ? `await ${id.name}` : `load(${id.name})` })
  }
  return startup
}

/** `load(ns)` or `preload(ns)`: what fetches a handle's module. */
function isLoadCall(parent: Node | undefined, id: Node): boolean {
  return parent?.type === 'CallExpression' && parent.arguments[0] === id && parent.callee.type === 'Identifier' && (parent.callee.name === 'load' || parent.callee.name === 'preload')
}

/** A handle is a value: it may be passed, stored or returned, but its exports are not there yet. */
function checkHandleUse(id: At<Identifier>, stack: Node[]) {
  const parent = stack.at(-2)!
  const name = id.name
  const load = `(await load(${name}))`
  if (parent.type === 'MemberExpression' && parent.object === id) {
    const property = parent.computed ? '[…]' : `.${(parent.property as Identifier).name}`
    throw new LazyTransformError(`\`${name}\` is a lazy module handle: its exports are not loaded yet, so \`${name}${property}\` is always undefined. Load it first: \`${load}${property}\`.`, id.start)
  }
  if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === id)
    throw new LazyTransformError(`\`${name}\` is a lazy module handle and cannot be called. Load it first: \`${load}\`.`, id.start)
  if (parent.type === 'SpreadElement' || (parent.type === 'BinaryExpression' && parent.operator === 'in' && parent.right === id) || (parent.type === 'ForInStatement' && parent.right === id))
    throw new LazyTransformError(`\`${name}\` is a lazy module handle and has no exports to list until loaded. Use \`${load}\` instead.`, id.start)
  if (parent.type === 'ExportSpecifier')
    throw new LazyTransformError(`\`${name}\` is a lazy module handle and cannot be re-exported: importers would receive a handle where they expect a module. Export a loader instead: \`export const load${capitalize(name)} = () => load(${name})\`.`, id.start)
  if (parent.type === 'AssignmentExpression' || parent.type === 'UpdateExpression')
    throw new LazyTransformError(`\`${name}\` is an import binding and cannot be assigned.`, id.start)
}

/**
 * A named or default lazy binding must head a chain that sits directly under `await`:
 * `await f(x)`, `await value`, `await obj.method()`. It becomes `(await __lazy_load(h)).f`.
 */
function rewriteNamedUse(id: At<Identifier>, stack: Node[], binding: Extract<Binding, { kind: 'named' }>, s: MagicString) {
  const { chain, holder: parent } = chainOf(id, stack.slice(0, -1))
  const usedUnderAwait = parent?.type === 'AwaitExpression' && parent.argument === chain
  if (!usedUnderAwait) {
    const why = parent?.type === 'ExportSpecifier'
      ? 'cannot be re-exported'
      : 'may only be used directly under `await`, because its module is not loaded until then'
    throw new LazyTransformError(`\`${id.name}\` comes from a lazy import and ${why}. Write \`await ${id.name}(…)\` or \`await ${id.name}\` inside an async function (or at the top level), or import the module with \`import * as mod from … with { lazy: 'true' }\` and use \`(await load(mod))\`.`, id.start)
  }
  const loaded = `(await ${PREFIX}load(${binding.handle}))${binding.member}`
  const parentOfId = stack.at(-2)!
  // A bare callee must not become a method call: `f(x)` has no `this`, `ns.f(x)` would.
  const isCallee = parentOfId.type === 'CallExpression' && parentOfId.callee === id
  s.overwrite(id.start, id.end, isCallee ? `(0, ${loaded})` : loaded)
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1)
}
