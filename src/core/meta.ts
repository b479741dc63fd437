// A registered module's metadata (`meta` of its `modules` entry), read at build time without running
// the module: the literal value of one of its exports, or of a file beside it. Only the declaration
// is parsed, from the source on disk, so TypeScript annotations elsewhere in the file do not matter.
import type { Node } from 'acorn'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, extname, relative, resolve } from 'node:path'
import { parseExpressionAt } from 'acorn'
import { locate } from './positions'

export interface ModuleMeta {
  value: unknown
  /** The file it was read from: the module, or the file beside it. */
  file: string
  /** The export it is; none for a JSON file, whose whole value it is. */
  export?: string
}

/** A value the build cannot read, at the place in the file that says why. */
export class MetaError extends Error {
  override name = 'MetaError'
  constructor(message: string, readonly file: string, readonly code?: string, readonly pos?: number) {
    super(message)
  }
}

/**
 * `meta` is an export name (`'meta'`) or a path beside the module (`'./meta.json'`). Messages name
 * files relative to `root`.
 */
export function readMeta(moduleFile: string, meta: string, root: string): ModuleMeta {
  const shown = (file: string) => relative(root, file)
  if (!meta.startsWith('.'))
    return { value: exportedValue(readFileSync(moduleFile, 'utf8'), moduleFile, meta, shown(moduleFile)), file: moduleFile, export: meta }
  const file = resolve(dirname(moduleFile), meta)
  if (!existsSync(file))
    throw new MetaError(`${shown(file)}: no such file, and \`meta: ${JSON.stringify(meta)}\` reads the metadata of ${shown(moduleFile)} there. Add it, or leave the module out of the glob with a '!' glob.`, file)
  const code = readFileSync(file, 'utf8')
  if (extname(file) !== '.json')
    return { value: exportedValue(code, file, 'default', shown(file)), file, export: 'default' }
  try {
    return { value: JSON.parse(code), file }
  }
  catch (error) {
    throw new MetaError(`${shown(file)}: is not JSON (${(error as Error).message}), and it is the metadata of ${shown(moduleFile)}.`, file)
  }
}

/** The value of `export const <name> = <literal>` (or `export default <literal>`), by its syntax alone. */
export function exportedValue(code: string, file: string, name: string, shown = file): unknown {
  const declaration = name === 'default'
    ? /\bexport\s+default\s+/.exec(code)
    // A type annotation may stand between the name and `=`; `as const` or `satisfies` may follow the literal.
    : new RegExp(`\\bexport\\s+(?:const|let|var)\\s+${name.replace(/\$/g, '\\$')}\\b\\s*(?::[^=]*)?=(?![=>])\\s*`).exec(code)
  if (!declaration)
    throw new MetaError(`${shown}: has no \`${name === 'default' ? 'export default' : `export const ${name} =`} { … }\`, where the metadata is read from. Add it, with a literal value.`, file)
  const start = declaration.index + declaration[0].length
  let node: Node
  try {
    node = parseExpressionAt(code, start, { ecmaVersion: 'latest', sourceType: 'module' })
  }
  catch (error) {
    const pos = (error as { pos?: number }).pos ?? start
    throw refusal(code, file, shown, name, pos, `cannot be read as a literal (${(error as Error).message.replace(/ \(\d+:\d+\)$/, '')}); \`as const\` and \`satisfies\` may follow the whole literal, but not its parts`)
  }
  return evaluate(node, (at, what) => refusal(code, file, shown, name, at.start, `holds ${what}`))
}

function evaluate(node: any, refuse: (at: { start: number }, what: string) => MetaError): unknown {
  switch (node.type) {
    case 'Literal':
      if (node.regex || node.bigint !== undefined)
        throw refuse(node, node.regex ? 'a regular expression' : 'a BigInt')
      return node.value
    case 'TemplateLiteral':
      if (node.expressions.length)
        throw refuse(node.expressions[0], 'a template with `${…}`')
      return node.quasis[0].value.cooked
    case 'UnaryExpression':
      if (node.operator === '-' && node.argument.type === 'Literal' && typeof node.argument.value === 'number')
        return -node.argument.value
      throw refuse(node, 'an operation')
    case 'ArrayExpression':
      return node.elements.map((element: any) => {
        if (!element || element.type === 'SpreadElement')
          throw refuse(element ?? node, element ? 'a spread (`...`)' : 'an array hole')
        return evaluate(element, refuse)
      })
    case 'ObjectExpression':
      // Entries, so a key such as `__proto__` stays a plain key.
      return Object.fromEntries(node.properties.map((property: any) => {
        if (property.type === 'SpreadElement')
          throw refuse(property, 'a spread (`...`)')
        if (property.computed)
          throw refuse(property.key, 'a computed key')
        if (property.kind !== 'init' || property.method)
          throw refuse(property, 'a method')
        if (property.shorthand)
          throw refuse(property, `a variable (\`${property.key.name}\`)`)
        return [property.key.type === 'Identifier' ? property.key.name : String(property.key.value), evaluate(property.value, refuse)]
      }))
    case 'Identifier':
      throw refuse(node, node.name === 'undefined' ? '`undefined`, which JSON cannot carry (leave the key out)' : `a variable (\`${node.name}\`)`)
    default:
      throw refuse(node, DESCRIPTIONS[node.type] ?? `an expression (${node.type})`)
  }
}

const DESCRIPTIONS: Record<string, string> = {
  CallExpression: 'a call',
  NewExpression: 'a `new`',
  MemberExpression: 'a property read',
  ArrowFunctionExpression: 'a function',
  FunctionExpression: 'a function',
  ClassExpression: 'a class',
  BinaryExpression: 'an operation',
  LogicalExpression: 'an operation',
  ConditionalExpression: 'a condition',
  TaggedTemplateExpression: 'a tagged template',
  AwaitExpression: 'an `await`',
}

function refusal(code: string, file: string, shown: string, name: string, pos: number, problem: string): MetaError {
  const { line, column } = locate(code, pos)
  const what = name === 'default' ? 'The default export' : `The export \`${name}\``
  return new MetaError(`${shown}:${line}:${column + 1}: ${what} is the module's metadata, read at build time without running the module, so it must be a literal: strings, numbers, booleans, null, and arrays and objects of them. It ${problem}. Write the value itself; compute what depends on it where it is used.`, file, code, pos)
}
