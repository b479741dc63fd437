#!/usr/bin/env node
// `lazy-modules report <dir>`: the size report of a folder already built, and its change since an
// earlier build; `lazy-modules advise <dir>`: what in its first load is worth making lazy. This file
// reads the arguments and says what is wrong with them; src/core/report/ reads the folder.
import type { Report } from './core/report'
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { budgetFailure, createReport, diffMarkdown, formatAdvice, formatDiff, formatTable } from './core/report'
import { loadBaseline } from './core/report/baseline'
import { growthFailure, parseBudgetFlags } from './core/report/budgets'
import { readFolder } from './core/report/folder'
import { ArchiveFormatError, IntegrityError } from './runtime/errors'
import { suggest } from './runtime/suggest'

const USAGE_LINE = `Usage: lazy-modules report <dir> [--json] [--no-brotli] [--manifest <file>] [--baseline <file|dir>] [--markdown] [--budget <limit>]...
       lazy-modules advise <dir> [--json] [--manifest <file>]`
const USAGE = `${USAGE_LINE}

report: prints the size report of a build in <dir>: the first load, each lazy module, each archive.
advise: prints what in the first load is worth making lazy, what each would save, and the edit.
  --json             print JSON: the report (the fields of lazy-report.json), or the advice
  --no-brotli        skip brotli sizes (brotli takes about 30 ms per MB of output)
  --manifest <file>  the manifest's name in <dir> (default: lazy-manifest.json)
  --baseline <path>  an earlier build's lazy-report.json, or its folder: print the change since
  --markdown         print the change since --baseline as a Markdown table, for a pull request
  --budget <limit>   exit 1 when over it, gzip: initial=150kB, 'charts/*=80kB', or a growth
                     since --baseline: initial=+2kB, initial=+5%; may be given again
  -h, --help         print this help
  --version          print the version of unplugin-lazy-modules

Exit code 2: the arguments are wrong, a folder or file that is not there among them;
1: the folder's files cannot be read, or a budget is exceeded.`

const OPTIONS = {
  'json': { type: 'boolean' },
  'no-brotli': { type: 'boolean' },
  'manifest': { type: 'string' },
  'baseline': { type: 'string' },
  'markdown': { type: 'boolean' },
  'budget': { type: 'string', multiple: true },
  'help': { type: 'boolean', short: 'h' },
  'version': { type: 'boolean' },
} as const
const COMMANDS = ['report', 'advise', 'help']
/** What each string option takes, for the message when it is given none. */
const VALUES: Record<string, string> = {
  manifest: 'a file name: --manifest <file>, the manifest\'s name in <dir>',
  baseline: 'a path: --baseline <file|dir>, an earlier build\'s lazy-report.json or its folder',
  budget: 'a limit: --budget initial=150kB, --budget \'charts/*=80kB\' or --budget initial=+2kB',
}

/** Wrong arguments: exit code 2, and the usage line. */
class UsageError extends Error {
  override name = 'UsageError'
}

/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface Io { stdout: (text: string) => void, stderr: (text: string) => void }

const processIo: Io = { stdout: text => process.stdout.write(text), stderr: text => process.stderr.write(text) }

/** The CLI without the process: `argv` without node and the script; resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    return await run(argv, io)
  }
  catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`lazy-modules: ${error.message}\n\n${USAGE_LINE}\n`)
      return 2
    }
    io.stderr(`lazy-modules: ${describe(error)}\n`)
    return 1
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  if (!argv.length) {
    io.stderr(`${USAGE}\n`)
    return 2
  }
  const { values, positionals } = parse(argv)
  if (values.help || positionals[0] === 'help') {
    io.stdout(`${USAGE}\n`)
    return 0
  }
  if (values.version) {
    io.stdout(`${version()}\n`)
    return 0
  }
  const [command, dir, ...extra] = positionals
  if (command !== 'report' && command !== 'advise')
    throw new UsageError(command === undefined ? 'which command? There are two: report and advise.' : unknownCommand(command))
  if (dir === undefined)
    throw new UsageError(`which folder? Give the folder the build wrote: lazy-modules ${command} dist/`)
  if (extra.length)
    throw new UsageError(`one folder at a time: ${[dir, ...extra].map(arg => JSON.stringify(arg)).join(' and ')} given.`)
  if (command === 'advise') {
    for (const option of ['baseline', 'markdown', 'budget', 'no-brotli'] as const) {
      if (values[option] !== undefined)
        throw new UsageError(`--${option} is an option of lazy-modules report, not of advise.`)
    }
  }
  if (values.markdown && !values.baseline)
    throw new UsageError('--markdown prints the change since a baseline: give one with --baseline <file|dir>.')
  if (values.markdown && values.json)
    throw new UsageError('--markdown or --json, not both.')
  const flags = parseFlags(values.budget ?? [], !!values.baseline)

  const { input, source, warnings } = await readFolder(dir, manifestIn(dir, values.manifest))
  for (const warning of warnings)
    io.stderr(`lazy-modules: warning: ${warning}\n`)
  if (command === 'advise')
    return advise(await createReport(input, { brotli: false }), values.json, io)

  const baseline = values.baseline ? await loadBaseline(values.baseline) : undefined
  const report = await createReport(input, { brotli: !values['no-brotli'], budgets: flags.budgets, baseline })
  if (values.json)
    io.stdout(`${JSON.stringify(report, null, 2)}\n`)
  else if (values.markdown)
    io.stdout(`${diffMarkdown(report.baseline!)}\n`)
  else
    io.stdout(`${formatTable(report)}\nfirst load from ${source}\n${report.baseline ? `\n${formatDiff(report.baseline)}\n` : ''}`)
  const failures = [budgetFailure(report), report.baseline && growthFailure(report.baseline, flags.growth)].filter(Boolean)
  for (const failure of failures)
    io.stderr(`lazy-modules: ${failure}\n`)
  return failures.length ? 1 : 0
}

function advise(report: Report, json: boolean | undefined, io: Io): number {
  if (!report.advice) {
    io.stderr('lazy-modules: no advice: this folder has neither the build\'s lazy-report.json nor source maps, so nothing tells which modules the first load is made of. Build with unplugin-lazy-modules with its JSON report on (the default), or with source maps (Vite\'s build.sourcemap).\n')
    return 1
  }
  io.stdout(json ? `${JSON.stringify(report.advice, null, 2)}\n` : `${formatAdvice(report)}\n`)
  return 0
}

/** `--budget` values, each checked now so that a typo is a usage error, not a failed budget. */
function parseFlags(specs: string[], baseline: boolean) {
  try {
    const flags = parseBudgetFlags(specs)
    if (flags.growth.length && !baseline)
      throw new Error(`${flags.growth[0].spec} limits a growth, which needs --baseline <file|dir> to grow from.`)
    return flags
  }
  catch (error: any) {
    throw new UsageError(error.message.replace(/^\[lazy-modules\] /, ''))
  }
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  }
  catch (error) {
    throw new UsageError(explain(argv, error))
  }
}

/** parseArgs says what is wrong, not what was meant: the same arguments, read loosely, tell which option it is. */
function explain(argv: string[], error: unknown): string {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false, tokens: true })
  for (const token of tokens) {
    if (token.kind !== 'option')
      continue
    if (!Object.hasOwn(OPTIONS, token.name))
      return unknownOption(token.rawName)
    const { type } = OPTIONS[token.name as keyof typeof OPTIONS]
    if (type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))))
      return `${token.rawName} needs ${VALUES[token.name]}.`
    if (type === 'boolean' && token.value !== undefined)
      return `${token.rawName} takes no value; got ${token.rawName}=${token.value}.`
  }
  return error instanceof Error ? error.message : String(error)
}

function unknownOption(raw: string): string {
  const name = raw.replace(/^-+/, '')
  const names = Object.keys(OPTIONS)
  // `--brotli` is what `--no-brotli` turns off, too far from it for an edit distance.
  const close = [...new Set([...suggest(name, names), ...names.filter(option => option === `no-${name}`)])].map(option => `--${option}`)
  return `unknown option ${raw}${close.length ? `; did you mean ${close.join(' or ')}?` : '.'}`
}

function unknownCommand(command: string): string {
  if (existsSync(command))
    return `${JSON.stringify(command)} is not a command; did you mean lazy-modules report ${command}?`
  const close = suggest(command, COMMANDS)
  return `unknown command ${JSON.stringify(command)}; ${close.length ? `did you mean ${close.join(' or ')}?` : 'the commands are report and advise.'}`
}

/** The manifest's path, once the folder and the manifest are known to exist. */
function manifestIn(dir: string, name: string | undefined): string {
  if (!existsSync(dir))
    throw new UsageError(`${dir} does not exist: give the folder the build wrote (Vite's build.outDir, Rollup's output.dir).`)
  if (!statSync(dir).isDirectory())
    throw new UsageError(`${dir} is a file: give the folder the build wrote (Vite's build.outDir, Rollup's output.dir).`)
  const file = resolve(dir, name ?? 'lazy-manifest.json')
  if (existsSync(file))
    return file
  if (name === undefined)
    throw new UsageError(`${file} does not exist: build with unplugin-lazy-modules first, with the \`manifest\` option not false. If that option gave it another name, name the file with --manifest <file>.`)
  const close = suggest(name, readdirSync(dir).filter(entry => entry.endsWith('.json')))
  throw new UsageError(`${file} does not exist${close.length ? `; did you mean ${close.join(' or ')}?` : '.'}`)
}

/** The named errors of the archive reader say what is wrong; any other error is a bug, with its stack. */
function describe(error: unknown): string {
  if (error instanceof ArchiveFormatError || error instanceof IntegrityError)
    return `${error.name}: ${error.message}`
  if (error instanceof Error)
    return error.constructor === Error ? error.message : error.stack ?? error.message
  return String(error)
}

/** From src/cli.ts and from dist/cli.mjs alike, the package's root is one folder up. */
function version(): string {
  return createRequire(import.meta.url)('../package.json').version
}

/** Run as a program (the `lazy-modules` bin links here), not when a test imports `main`. */
function isProgram(): boolean {
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)
  }
  catch {
    return false
  }
}

if (isProgram())
  main(process.argv.slice(2)).then(code => process.exitCode = code)
