// What in the first load is worth making lazy. Every module the app's own code imports eagerly is a
// candidate: the first load would lose its code and whatever only it imports, which is what the
// bundler's module graph reaches from the entries only through the candidate's import edges (found
// for all candidates at once, ./dominators.ts). Then
// each importer is read (src/core/advise.ts) for whether a marked import works as written, and how.
import type { ModuleShare } from './composition'
import type { Advice, AdviceImport, Candidate, Composition, ReportInput, Share, TextEdit, Verdict } from './types'
import type { ImportAdvice, Importer, ImportStatement } from '../advise'
import type { Parse } from '../scope'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve as resolvePath } from 'node:path'
import { runtimeFile } from '../runtime-files'
import { cutLosses, reachable } from './dominators'
import { list, plural } from './format'
import { isVirtual, moduleKey, packageName, shortId } from './ids'

/** Candidates saving less than this (gzip, estimated) are left out: not worth a request and an edit. */
export const ADVICE_MIN_GZIP = 500
/** At most this many candidates, the largest savings. */
export const ADVICE_MAX = 30
/**
 * What the first marked import of an app adds to its first load: the runtime and its registry, about
 * 3.1 kB gzip as Vite 8 minifies them (measured on test/fixtures/heavy-app once the advice is followed).
 * Until an app has a lazy module, a candidate must save more than that.
 */
export const RUNTIME_COST = 3100

interface Draft {
  kind: Candidate['kind']
  package: string | null
  /** The modules whose import edges are cut. */
  targets: Set<string>
  /** App modules importing a target, and which targets each imports. */
  importers: Map<string, Set<string>>
  saved: Set<string>
}

const isPackageFile = (id: string) => id.includes('/node_modules/')
/** The app's own scripts: not a package's, not virtual, not the HTML page that is a Vite entry. */
const isAppFile = (id: string) => !isVirtual(id) && !isPackageFile(id) && /\.(?:[cm]?[jt]sx?|vue|svelte)$/.test(strip(id))
const strip = (id: string) => id.replace(/[?#].*$/, '')

/** From a live build: candidates with their savings, importers, verdicts and edits. */
export async function adviseBuild(input: ReportInput, shares: Map<string, ModuleShare>): Promise<Advice> {
  const graph = firstLoadGraph(input)
  const sum = (ids: Iterable<string>): Share => {
    const total = { raw: 0, gzip: 0 }
    for (const id of ids) {
      total.raw += shares.get(id)?.raw ?? 0
      total.gzip += shares.get(id)?.gzip ?? 0
    }
    return total
  }
  const noLazyModule = !Object.keys(input.manifest.modules).length
  const least = noLazyModule ? RUNTIME_COST : ADVICE_MIN_GZIP
  const drafts = draftsOf(input, graph)
  // One target's draft: from the dominator tree, all at once. A package's several targets: walked.
  const single = drafts.filter(draft => draft.targets.size === 1)
  const losses = cutLosses(graph.roots, graph.edges, single.map(draft => ({ target: [...draft.targets][0], importers: draft.importers })), id => sum([id]))
  const savedOf = new Map(single.map((draft, at) => [draft, { saved: losses.saved[at], lost: () => losses.lost(at) }]))
  for (const draft of drafts.filter(draft => draft.targets.size > 1)) {
    const kept = graph.reach(draft)
    const lost = new Set([...graph.reached].filter(id => !kept.has(id)))
    savedOf.set(draft, { saved: sum(lost), lost: () => lost })
  }
  const worth = drafts
    .map(draft => ({ draft, saved: savedOf.get(draft)!.saved }))
    // A package as a whole only where it saves clearly more than its best part.
    .filter(({ draft, saved }, _, all) => saved.gzip >= least && !(draft.targets.size > 1 && all.some(other => other.draft.targets.size === 1 && other.draft.package === draft.package && other.saved.gzip * 1.1 >= saved.gzip)))
    .sort((a, b) => b.saved.gzip - a.saved.gzip)
    .slice(0, ADVICE_MAX)

  const rendered = new Map([...input.graph.initial].flatMap(file => Object.entries(input.graph.chunks.get(file)!.modules)))
  const reader = new ImporterReader(input, graph.reached)
  const candidates: (Candidate & { ids: Set<string> })[] = []
  for (const { draft, saved } of worth) {
    draft.saved = savedOf.get(draft)!.lost()
    const own = [...ownModules(draft, graph, input.root)].filter(id => shares.has(id))
    const candidate = await describe(draft, reader, input)
    if (candidate)
      candidates.push({ ...candidate, size: sum(own), rendered: own.reduce((total, id) => total + (rendered.get(id) ?? 0), 0), modules: own.length, saved, ids: draft.saved })
  }
  for (const [index, candidate] of candidates.entries()) {
    const container = candidates.slice(0, index).find(other => (other.verdict === 'ready' || other.verdict === 'async') && [...candidate.ids].every(id => other.ids.has(id)))
    candidate.within = container?.subject ?? null
  }
  const note = noLazyModule ? `The app has no lazy module yet: the first marked import brings the runtime into the first load (about ${(RUNTIME_COST / 1000).toFixed(1)} kB gzip), so only a candidate that saves more is listed.` : null
  return { from: 'build', note, candidates: candidates.map(({ ids: _, ...candidate }) => candidate) }
}

interface FirstLoadGraph {
  /** The first load's entries, and modules no other first-load module imports. */
  roots: string[]
  /** Static imports between the first load's modules. */
  edges: Map<string, string[]>
  /** What the first load's entries reach with every edge. */
  reached: Set<string>
  /** What they reach without the edges from a draft's importers to its targets. */
  reach: (cut: Draft | null) => Set<string>
}

function firstLoadGraph({ graph, moduleInfo }: ReportInput): FirstLoadGraph {
  const info = moduleInfo!
  // Modules rendered to nothing, or left out of every chunk (a package's index that only re-exports),
  // still link the graph: `import { format } from 'date-fns'` reaches format.js through index.js.
  const chunked = new Set([...graph.chunks.values()].flatMap(chunk => chunk.moduleIds))
  const first = new Set([...graph.initial].flatMap(file => graph.chunks.get(file)!.moduleIds))
  const edges = new Map<string, string[]>()
  for (const id of first) {
    const targets = (info(id)?.importedIds ?? []).filter(target => first.has(target) || !chunked.has(target))
    targets.forEach(target => first.add(target))
    edges.set(id, targets)
  }
  // Entries, and modules only lazy code imports (chunking pulled them forward): they stay whatever is made lazy.
  const roots = [...first].filter((id) => {
    const found = info(id)
    return !found || found.isEntry || !found.importers.some(importer => first.has(importer))
  })
  const reach = (cut: Draft | null) => reachable(roots, edges, cut ? (from, to) => cut.targets.has(to) && cut.importers.has(from) : undefined)
  return { roots, edges, reached: reach(null), reach }
}

/** A source module itself; a package's modules that its imported ones reach (`date-fns/locale`: the locales, not all of date-fns). */
function ownModules(draft: Draft, { edges }: FirstLoadGraph, root: string | undefined): Set<string> {
  if (!draft.package)
    return draft.targets
  const own = new Set<string>()
  const queue = [...draft.targets]
  while (queue.length) {
    const id = queue.pop()!
    if (own.has(id) || moduleKey(id, root).package !== draft.package)
      continue
    own.add(id)
    queue.push(...edges.get(id) ?? [])
  }
  return own
}

/** A draft per module the app's own files import, and per package imported by several specifiers. */
function draftsOf({ root, moduleInfo }: ReportInput, { edges, reached }: FirstLoadGraph): Draft[] {
  const byTarget = new Map<string, Draft>()
  // A file outside the root is not the app's to edit: a linked package, this plugin's runtime.
  const inRoot = (id: string) => !root || id.startsWith(`${root}/`)
  // Nor is the runtime a candidate, wherever it is installed: marked imports need it.
  const runtime = `${dirname(runtimeFile('index'))}/`
  for (const importer of reached) {
    if (!isAppFile(importer) || !inRoot(importer))
      continue
    for (const target of edges.get(importer)!) {
      if (isVirtual(target) || !reached.has(target) || target.startsWith(runtime) || moduleInfo!(target)?.isEntry)
        continue
      const draft = byTarget.get(target) ?? { kind: isPackageFile(target) ? 'package' : 'module', package: moduleKey(target, root).package, targets: new Set([target]), importers: new Map(), saved: new Set() } satisfies Draft
      draft.importers.set(importer, new Set([target]))
      byTarget.set(target, draft)
    }
  }
  const drafts = [...byTarget.values()]
  // A package imported by several specifiers (`chart.js` and `chart.js/helpers`) may only leave as a whole.
  const packages = new Map<string, Draft[]>()
  for (const draft of drafts.filter(draft => draft.package))
    packages.set(draft.package!, [...packages.get(draft.package!) ?? [], draft])
  for (const [name, parts] of packages) {
    if (parts.length > 1) {
      const importers = new Map<string, Set<string>>()
      for (const part of parts)
        part.importers.forEach((targets, importer) => importers.set(importer, new Set([...importers.get(importer) ?? [], ...targets])))
      drafts.push({ kind: 'package', package: name, targets: new Set(parts.flatMap(part => [...part.targets])), importers, saved: new Set() })
    }
  }
  return drafts
}

/** From source maps alone: the largest packages and source modules; who imports them only the build knows. */
export function adviseFromComposition(composition: Composition): Advice {
  const groups = new Map<string, { kind: Candidate['kind'], package: string | null, size: Share, modules: number }>()
  for (const [key, module] of Object.entries(composition.modules)) {
    if (key.startsWith('(') || isVirtual(key))
      continue
    const subject = module.package ?? key
    const group = groups.get(subject) ?? { kind: module.package ? 'package' : 'module', package: module.package, size: { raw: 0, gzip: 0 }, modules: 0 }
    group.size = { raw: group.size.raw + module.raw, gzip: group.size.gzip + module.gzip }
    group.modules++
    groups.set(subject, group)
  }
  const candidates = [...groups]
    .filter(([, group]) => group.size.gzip >= ADVICE_MIN_GZIP)
    .sort((a, b) => b[1].size.gzip - a[1].size.gzip)
    .slice(0, ADVICE_MAX)
    .map(([subject, group]): Candidate => ({
      subject,
      ...group,
      rendered: null,
      saved: group.size,
      verdict: 'unknown',
      within: null,
      importers: [],
      edits: [],
      message: `${formatShare(group.size)} of the first load, from source maps. What imports it, what making it lazy saves and the edit come from the build: build with the plugin (report.json on) and run this again.`,
    }))
  return { from: 'source maps', note: null, candidates }
}

const formatShare = (share: Share) => `~${share.gzip < 1000 ? `${share.gzip} B` : `${(share.gzip / 1000).toFixed(1)} kB`} gzip`

/** Reads importers once each: their source on disk if it is JavaScript, else nothing to advise on. */
class ImporterReader {
  private resolved = new Map<string, Promise<string | null>>()
  /** `firstLoad`: the modules the first load's entries reach. */
  constructor(private input: ReportInput, private firstLoad: Set<string>) {}

  private reading = new Map<string, Promise<Importer | undefined>>()

  /** Its source as JavaScript, or compiled from TypeScript or JSX with a map back; `undefined` if it cannot be read. */
  read(id: string): Promise<Importer | undefined> {
    if (!this.reading.has(id))
      this.reading.set(id, this.parse(strip(id)))
    return this.reading.get(id)!
  }

  private async parse(file: string): Promise<Importer | undefined> {
    const code = (this.input.readSource ?? readDisk)(file)
    if (code === null)
      return undefined
    // The parser loads when there is something to advise on, as the transform's does.
    const { compileImporter, readImporter } = await import('../advise')
    // A live bundle lends its parser; the advice reads importers only in one (`moduleInfo`).
    const parse = this.input.parse as Parse
    const plain = readImporter(code, parse)
    if (plain || !/\.(?:[cm]?tsx?|jsx)$/.test(file))
      return plain
    const compiled = await compileImporter(code, file)
    return compiled && readImporter(compiled.code, parse, compiled.compiled)
  }

  private resolve(specifier: string, importer: string): Promise<string | null> {
    const key = `${importer}\0${specifier}`
    if (!this.resolved.has(key))
      this.resolved.set(key, this.input.resolve ? this.input.resolve(specifier, importer).catch(() => null) : Promise.resolve(null))
    return this.resolved.get(key)!
  }

  /**
   * For an import of named exports from a package (`import { format } from 'date-fns'`), the module
   * of its own each name has in the package (`date-fns/format`), where every one has such a module
   * in the first load: imported lazily from there, each keeps its lazy chunk to what it needs.
   */
  async subpaths(importer: string, { specifier, names }: ImportStatement): Promise<Map<string, string> | undefined> {
    if (!names || /^[./]/.test(specifier) || !packageName(specifier))
      return undefined
    const found = await Promise.all(names.map(async name => /^[\w$-]+$/.test(name) ? this.resolve(`${specifier}/${name}`, importer) : null))
    return found.every(id => id !== null && this.firstLoad.has(id)) ? new Map(names.map(name => [name, `${specifier}/${name}`])) : undefined
  }

  /** Whether `specifier` in `importer` is one of `targets`: the bundler's resolver, else by name and path. */
  async names(importer: string, specifier: string, targets: Set<string>): Promise<boolean> {
    const id = await this.resolve(specifier, importer)
    if (id)
      return [...targets].some(target => strip(target) === strip(id))
    return [...targets].some((target) => {
      if (/^\.\.?\//.test(specifier))
        return strip(target).replace(/\.[^./]+$/, '') === resolvePath(dirname(strip(importer)), specifier).replace(/\.[^./]+$/, '')
      return moduleKey(target, undefined).package === packageName(specifier) && !specifier.startsWith('.')
    })
  }
}

function readDisk(file: string): string | null {
  return existsSync(file) ? readFileSync(file, 'utf8') : null
}

/** The candidate's imports read, its verdict and message; `undefined` for the plugin's own runtime. */
async function describe(draft: Draft, reader: ImporterReader, input: ReportInput): Promise<Omit<Candidate, 'size' | 'rendered' | 'modules' | 'saved'> | undefined> {
  const attribute = input.attribute ?? 'lazy'
  const file = (id: string) => shortId(strip(id), input.root)
  const imports: AdviceImport[] = []
  const edits: TextEdit[] = []
  const unread: string[] = []
  const inexact: string[] = []
  const madeAsync: string[] = []
  let subject = draft.kind === 'module' ? file([...draft.targets][0]) : undefined
  for (const [importer, targets] of draft.importers) {
    const parsed = await reader.read(importer)
    if (!parsed) {
      unread.push(file(importer))
      continue
    }
    for (const statement of parsed.imports) {
      if (!(await reader.names(importer, statement.specifier, targets)))
        continue
      if (draft.kind === 'package')
        subject ??= draft.targets.size > 1 ? draft.package! : statement.specifier
      const subpaths = draft.kind === 'package' ? await reader.subpaths(importer, statement) : undefined
      const advice: ImportAdvice = parsed.advise(statement, attribute, subpaths)
      imports.push({ file: file(importer), line: advice.line, column: advice.column, statement: advice.statement, write: advice.write, problem: advice.problem, first: advice.loadsFirst, uses: advice.uses.map(({ start: _, end: __, write: ___, ...use }) => use) })
      madeAsync.push(...advice.madeAsync.map(name => `${name} in ${file(importer)}`))
      if (!advice.exact)
        inexact.push(file(importer))
      if (!advice.problem)
        edits.push(...advice.edits.map(edit => ({ file: file(importer), ...edit })))
    }
  }
  subject ??= draft.package ?? file([...draft.targets][0])
  if (subject.startsWith('unplugin-lazy-modules') || subject.startsWith('virtual:'))
    return undefined
  const verdict: Verdict = imports.some(each => each.problem)
    ? 'cannot'
    : imports.some(each => each.uses.some(use => use.where === 'top level'))
      ? 'start-up'
      : !imports.length || unread.length
          ? 'unknown'
          : madeAsync.length ? 'async' : 'ready'
  const mapped = inexact.length ? ` The compiled code of ${list([...new Set(inexact)], 3)} could not be mapped back exactly: lines are the compiled code's, and the edit is to write by hand.` : ''
  return { subject, kind: draft.kind, package: draft.package, verdict, within: null, importers: imports, edits: (verdict === 'ready' || verdict === 'async') && !inexact.length ? edits : [], message: message(verdict, imports, unread, madeAsync) + mapped }
}

function message(verdict: Verdict, imports: AdviceImport[], unread: string[], madeAsync: string[]): string {
  const at = (file: string, line: number) => `${file}:${line}`
  const where = list(imports.map(each => at(each.file, each.line)), 3)
  const uses = imports.flatMap(each => each.uses.map(use => ({ ...use, file: each.file })))
  switch (verdict) {
    case 'cannot':
      return `It cannot be marked lazy as written: ${imports.filter(each => each.problem).map(each => `${at(each.file, each.line)}: ${each.problem}`).join('; ')}.`
    case 'start-up': {
      const early = uses.filter(use => use.where === 'top level')
      return `Code that runs at start-up uses it (${list(early.map(use => `${at(use.file, use.line)} \`${use.code}\``), 3)}), so a lazy import would load it at start anyway. Move ${early.length === 1 ? 'that use' : 'those uses'} into code that runs later (an event handler, an effect), or leave it eager.`
    }
    case 'unknown':
      return unread.length
        ? `Imported by ${list(unread, 3)}, which could not be read (not JavaScript, and neither Vite nor TypeScript compiled it): mark ${unread.length === 1 ? 'that import' : 'those imports'} by hand, with \`await\` on every use.`
        : 'No import statement of the app names it (a re-export or an alias the advice could not follow).'
    default: {
      const changed = uses.filter(use => use.after !== null)
      const first = imports.flatMap(each => each.first.map(line => `${line} in ${each.file}`))
      const loads = first.length ? ` Where a callback must stay sync, the module loads first in the function around it: ${list(first, 3)}.` : ''
      const made = madeAsync.length ? ` ${list(madeAsync, 3)} ${madeAsync.length === 1 ? 'becomes' : 'become'} async: what calls ${madeAsync.length === 1 ? 'it' : 'them'} gets a promise.` : ''
      return `Mark ${imports.length === 1 ? 'the import' : `the ${imports.length} imports`} lazy (${where}); ${plural(changed.length, 'use')} ${changed.length === 1 ? 'takes' : 'take'} \`await\`.${loads}${made}`
    }
  }
}
