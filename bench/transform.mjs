// Transform throughput on files a bundler hands the plugin that it must leave alone.
//
// 1. filter: the `transform.filter.code` pattern the plugin declares, tested against every file of a
//    real-world corpus (tens of MB of bundled JS from node_modules). In Vite 8 / Rolldown this test runs
//    natively (in Rust), so no JavaScript runs for an unmarked file; this measures the same pattern with
//    V8's engine, i.e. what Rollup 4 (and any bundler without native filters) runs per file.
// 2. parse path: the JavaScript handler on files whose only marker text sits in a comment. They pass the
//    filter, so the handler runs; it parses them and changes nothing.
//
// Usage: node bench/transform.mjs   (or through bench/run.mjs). Env: BENCH_CORPUS, BENCH_FILTER_ROUNDS,
//        BENCH_PARSE_ROUNDS, BENCH_PARSE_MB, BENCH_DIST.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Parser } from 'acorn'
import { parseAst } from 'rolldown/parseAst'
import { fmt, median, summary, table } from './lib/stats.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..')
export const DEFAULT_CORPUS = ['node_modules/vite/dist', 'node_modules/rollup/dist', 'node_modules/typescript/lib', 'node_modules/playwright-core/lib', 'node_modules/vitest/dist']
// A marker in a comment: what a file that documents the feature, or mentions it in a message, contains.
const COMMENT = `\n// Usage: import * as pdf from './pdf-export' with { lazy: 'true' }, then await load(pdf).\n`

export function loadCorpus(dirs = DEFAULT_CORPUS) {
  const files = []
  for (const dir of dirs) {
    const abs = join(root, dir)
    if (!existsSync(abs))
      continue
    for (const name of readdirSync(abs, { recursive: true })) {
      if (!/\.(?:m|c)?js$/.test(name))
        continue
      const path = join(abs, name)
      const bytes = readFileSync(path)
      files.push({ path: relative(root, path), code: bytes.toString('utf8'), bytes: bytes.length })
    }
  }
  return files
}

/** What a bundler applies for `filter.code`: a RegExp is tested, a string is a substring, a list is any-of. */
function codeMatcher(filter) {
  if (filter instanceof RegExp)
    return code => filter.test(code)
  if (typeof filter === 'string')
    return code => code.includes(filter)
  if (Array.isArray(filter)) {
    const all = filter.map(codeMatcher)
    return code => all.some(test => test(code))
  }
  const include = filter.include === undefined ? () => true : codeMatcher(filter.include)
  const exclude = filter.exclude === undefined ? () => false : codeMatcher(filter.exclude)
  return code => !exclude(code) && include(code)
}

export async function runTransformBench({ dist, log = console.log } = {}) {
  const { unpluginFactory } = await import(pathToFileURL(join(dist, 'index.mjs')).href)
  const hooks = unpluginFactory({}, { framework: 'vite' })
  const filter = hooks.transform.filter.code
  const handler = hooks.transform.handler
  const matches = codeMatcher(filter)

  const corpus = loadCorpus(process.env.BENCH_CORPUS ? process.env.BENCH_CORPUS.split(',') : undefined)
  const totalBytes = corpus.reduce((sum, file) => sum + file.bytes, 0)
  const mb = totalBytes / 1e6
  const passing = corpus.filter(file => matches(file.code)).map(file => file.path)

  // 1. The pre-filter over the whole corpus, many times. One untimed warm-up round.
  const filterRounds = Number(process.env.BENCH_FILTER_ROUNDS ?? 15)
  const filterRates = []
  let sink = 0
  for (let round = -1; round < filterRounds; round++) {
    const t0 = performance.now()
    for (const file of corpus)
      sink += matches(file.code) ? 1 : 0
    const seconds = (performance.now() - t0) / 1000
    if (round >= 0)
      filterRates.push(mb / seconds)
  }

  // 2. The handler on ES modules that carry the marker only in a comment: parsed, left unchanged.
  // Files acorn cannot parse as a module (CommonJS with legacy syntax) are left out: the handler would report them.
  const budget = Number(process.env.BENCH_PARSE_MB ?? 8) * 1e6
  const parseSet = []
  let parseBytes = 0
  for (const file of [...corpus].sort((a, b) => a.path.localeCompare(b.path))) {
    if (parseBytes >= budget || !/(?:\.mjs|\/es\/.*\.js|vite\/dist\/.*\.js)$/.test(file.path))
      continue
    const code = file.code + COMMENT
    try {
      Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true })
    }
    catch {
      continue
    }
    parseSet.push({ path: file.path, code, id: join(root, file.path) })
    parseBytes += Buffer.byteLength(code)
  }
  const context = {
    resolve() { throw new Error('bench: nothing is marked, so nothing should be resolved') },
    error(error) { throw Object.assign(new Error(error.message), error) },
    warn() {},
    // What Vite 8 and Rolldown lend a plugin as `this.parse`.
    parse: code => parseAst(code),
  }
  let changed = 0
  for (const file of parseSet) {
    if (!matches(file.code))
      throw new Error(`bench: ${file.path} with the comment should pass the filter`)
    if ((await handler.call(context, file.code, file.id)) != null)
      changed++
  }
  const parseRounds = Number(process.env.BENCH_PARSE_ROUNDS ?? 5)
  const parseRates = []
  for (let round = 0; round < parseRounds; round++) {
    const t0 = performance.now()
    for (const file of parseSet)
      await handler.call(context, file.code, file.id)
    parseRates.push(parseBytes / 1e6 / ((performance.now() - t0) / 1000))
  }

  const result = {
    filter: {
      pattern: String(filter),
      files: corpus.length,
      bytes: totalBytes,
      dirs: process.env.BENCH_CORPUS?.split(',') ?? DEFAULT_CORPUS,
      rounds: filterRounds,
      mbPerSecond: summary(filterRates),
      usPerFileMedian: (totalBytes / median(filterRates)) / corpus.length,
      passing,
    },
    parse: {
      files: parseSet.length,
      bytes: parseBytes,
      rounds: parseRounds,
      changed,
      mbPerSecond: summary(parseRates),
    },
    sink,
  }
  log(table([
    ['transform (unmarked files)', 'files', 'MB', 'median', 'min', 'max'],
    ['filter regex, whole corpus', corpus.length, mb.toFixed(1), fmt.mbs(result.filter.mbPerSecond.median), fmt.mbs(result.filter.mbPerSecond.min), fmt.mbs(result.filter.mbPerSecond.max)],
    ['handler, marker in a comment', parseSet.length, (parseBytes / 1e6).toFixed(1), fmt.mbs(result.parse.mbPerSecond.median), fmt.mbs(result.parse.mbPerSecond.min), fmt.mbs(result.parse.mbPerSecond.max)],
  ]))
  if (passing.length)
    log(`  corpus files the filter lets through (would be parsed): ${passing.join(', ')}`)
  if (changed)
    log(`  WARNING: the handler changed ${changed} file(s) whose marker was only in a comment`)
  return result
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = process.env.BENCH_DIST ?? join(root, 'dist')
  await runTransformBench({ dist })
}
