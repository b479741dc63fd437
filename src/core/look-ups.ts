// The runtime look-ups an app's code makes with a name written out: `importModule('charts/bar')`.
// A name the build registers nowhere fails every time the code runs, so the bundle stage warns at
// the call, once every name is known, with the names close to it. The transform finds the calls as
// it reads the file, through the file's scopes: a local function called `importModule` is not the runtime's.
import type { Expression, Identifier, Node, Program, SpreadElement } from 'estree'
import type { ModuleScope } from './scope'
import { relative } from 'node:path'
import { RUNTIME_ID } from '../contract'
import { fileOf } from './chunk-names'
import { keyName } from './scope'
import { suggest } from '../runtime/suggest'

/** The look-ups that take a name, and what each does with one that names nothing (`hasModule` is the check itself). */
const OUTCOME = {
  importModule: 'rejects',
  preload: 'rejects',
  getLoader: 'returns undefined',
  iterModules: 'lists nothing',
} as const

type LookUpCall = keyof typeof OUTCOME

export interface LiteralLookUp {
  call: LookUpCall
  /** The name, or what every name it can be starts with: a template's text before its first `${}`, `iterModules`' prefix. */
  name: string
  prefix: boolean
  /** Offset of the call. */
  pos: number
}

/** A look-up found in an importer, its position mapped to the importer's own source. */
export interface LocatedLookUp extends Omit<LiteralLookUp, 'pos'> {
  importer: string
  line: number
  /** 0-based. */
  column: number
}

type Located = Node & { start: number }

/** Every call of `importModule`, `preload`, `getLoader` or `iterModules` imported from the runtime, with a name or prefix written out. */
export function literalLookUps(ast: Program, { parents, references }: ModuleScope): LiteralLookUp[] {
  const found: LiteralLookUp[] = []
  const add = (call: string, callee: Node) => {
    const node = parents.get(callee)
    if (!Object.hasOwn(OUTCOME, call) || node?.type !== 'CallExpression' || node.callee !== callee)
      return
    const written = writtenName(node.arguments[0])
    // `iterModules('')` lists everything.
    if (written && !(call === 'iterModules' && !written.name))
      found.push({ call: call as LookUpCall, ...written, prefix: written.prefix || call === 'iterModules', pos: (node as Located).start })
  }
  for (const statement of ast.body) {
    if (statement.type !== 'ImportDeclaration' || statement.source.value !== RUNTIME_ID)
      continue
    for (const specifier of statement.specifiers) {
      for (const id of references.get(specifier.local.name) ?? []) {
        if (specifier.type === 'ImportSpecifier')
          add(keyName(specifier.imported), id)
        const member = parents.get(id)
        // `import * as lazy from …`, then `lazy.importModule('…')`.
        if (specifier.type === 'ImportNamespaceSpecifier' && member?.type === 'MemberExpression' && member.object === id)
          add(member.computed ? stringOf(member.property) ?? '' : keyName(member.property as Identifier), member)
      }
    }
  }
  return found.sort((a, b) => a.pos - b.pos)
}

/** Whether some lazy module has the look-up's name, or a name it starts. */
export function isKnown({ name, prefix }: Pick<LiteralLookUp, 'name' | 'prefix'>, names: string[]): boolean {
  return prefix ? names.some(known => known.startsWith(name)) : names.includes(name)
}

/** The look-ups whose name or prefix no lazy module of the build has, as warnings. */
export function unknownLookUps(lookUps: LocatedLookUp[], names: string[], root: string): string[] {
  return lookUps.flatMap(({ call, name, prefix, importer, line, column }) => {
    if (isKnown({ name, prefix }, names))
      return []
    const close = suggest(name, prefix ? [...new Set(names.map(known => known.slice(0, name.length)))] : names)
    const written = prefix && call !== 'iterModules' ? `${call}(…)` : `${call}(${JSON.stringify(name)})`
    const what = prefix ? `no lazy module's name starts with ${JSON.stringify(name)}` : `no lazy module is named ${JSON.stringify(name)}`
    const hint = close.length ? ` Did you mean ${close.map(each => JSON.stringify(each)).join(' or ')}?` : ''
    return [`${relative(root, fileOf(importer))}:${line}:${column + 1}: \`${written}\` ${OUTCOME[call]} whenever it runs: ${what}.${hint} Names come from the \`modules\` option and from marked imports (lazy-modules.d.ts lists them).`]
  })
}

/** `'charts/bar'`, `` `charts/bar` ``, or what a name built at run time starts with: `` `charts/${x}` ``, `'charts/' + x`. */
function writtenName(argument: Expression | SpreadElement | undefined): { name: string, prefix: boolean } | undefined {
  const exact = argument && stringOf(argument)
  if (exact !== undefined)
    return { name: exact, prefix: false }
  if (argument?.type === 'TemplateLiteral' && argument.quasis[0].value.cooked)
    return { name: argument.quasis[0].value.cooked, prefix: true }
  if (argument?.type === 'BinaryExpression' && argument.operator === '+') {
    const start = writtenName(argument.left as Expression)
    return start?.name ? { name: start.name, prefix: true } : undefined
  }
  return undefined
}

function stringOf(node: Node): string | undefined {
  if (node.type === 'Literal' && typeof node.value === 'string')
    return node.value
  if (node.type === 'TemplateLiteral' && !node.expressions.length)
    return node.quasis[0].value.cooked ?? undefined
  return undefined
}

