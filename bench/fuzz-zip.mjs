// Fuzzes the runtime zip reader (src/runtime/zip.ts) with seeded mutated archives.
//   node bench/fuzz-zip.mjs                       # 100,000 cases, seed 1
//   FUZZ_CASES=300000 FUZZ_SEED=7 node bench/fuzz-zip.mjs
// Other knobs: FUZZ_WORKERS (default: available cores), FUZZ_HANG_MS (2000), FUZZ_JSON=<file>
// (write the summary), FUZZ_SAVE=0 (do not write crashers), FUZZ_DIFF=<n> (accepted mutants
// compared with Python's zipfile, default 4000, 0 = off), FUZZ_SELFTEST=1 (check the harness
// itself: parseZip/readEntry wrapped to throw a TypeError, spin forever, never settle, leak a
// rejection or throw from a timer on some inputs, all of which must be reported; findings go to
// bench/.tmp/fuzz/selftest).
//
// The harness is test/helpers/zip-fuzz.ts (shared with test/runtime/zip-fuzz.test.ts), bundled
// with rolldown together with the current src/runtime/zip.ts into bench/.tmp/fuzz/. Cases run in
// worker threads. A case that does not settle within FUZZ_HANG_MS, or settles later, is a hang;
// a worker stuck in synchronous code (no progress for 5 × FUZZ_HANG_MS) is terminated by the
// main thread, its case recorded as a hang, and a new worker resumes after it. A worker that dies
// (out of memory: each has a 512 MB heap) records its case as a crasher. Crashers and hangs are
// written to test/fixtures/zip-crashers/<sha1 prefix>.zip with a JSON note.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const bundle = join(here, '.tmp/fuzz/zip-fuzz.mjs')

async function main() {
  const cases = Number(process.env.FUZZ_CASES ?? 100_000)
  const seed = Number(process.env.FUZZ_SEED ?? 1)
  const hangMs = Number(process.env.FUZZ_HANG_MS ?? 2000)
  const workers = Number(process.env.FUZZ_WORKERS ?? availableParallelism())
  const save = process.env.FUZZ_SAVE !== '0'
  const selftest = process.env.FUZZ_SELFTEST === '1'
  const diffCap = Number(process.env.FUZZ_DIFF ?? 4000)
  const accepted = new Map()
  const zipTs = join(root, 'src/runtime/zip.ts')
  const faults = {
    name: 'inject-faults',
    resolveId: (source, importer) => source === '../../src/runtime/zip' && importer?.endsWith('zip-fuzz.ts') ? '\0faulty-zip' : null,
    load: id => id !== '\0faulty-zip'
      ? null
      : `import * as real from ${JSON.stringify(zipTs)}
export * from ${JSON.stringify(zipTs)}
export function parseZip(bytes, archive) {
  if (bytes.length % 499 === 7) throw new TypeError('injected TypeError')
  if (bytes.length % 1499 === 11) for (const t = Date.now(); Date.now() - t < 1e9;);
  return real.parseZip(bytes, archive)
}
export async function readEntry(bytes, entry, archive, integrity) {
  if (entry.size === 10 && bytes.length % 97 === 3) await new Promise(() => {})
  if (entry.size === 10 && bytes.length % 89 === 5) Promise.reject(new Error('injected leak'))
  if (entry.size === 10 && bytes.length % 83 === 2) setTimeout(() => { throw new Error('injected uncaught exception') })
  return real.readEntry(bytes, entry, archive, integrity)
}`,
  }

  const { build } = await import('rolldown')
  mkdirSync(dirname(bundle), { recursive: true })
  await build({
    input: join(root, 'test/helpers/zip-fuzz.ts'),
    platform: 'node',
    logLevel: 'silent',
    external: [/^node:/],
    plugins: selftest ? [faults] : [],
    output: { file: bundle, format: 'es' },
  })
  // The bundle lives in bench/.tmp/fuzz, so its import.meta.dirname is not test/helpers.
  const fuzz = await import(`${pathToFileURL(bundle)}?${Date.now()}`)
  const crasherDir = selftest ? join(here, '.tmp/fuzz/selftest') : join(root, 'test/fixtures/zip-crashers')
  const zipHash = createHash('sha1').update(readFileSync(zipTs)).digest('hex').slice(0, 12)

  const { seeds, skipped } = fuzz.makeCorpus()
  console.log(`zip.ts sha1 ${zipHash}; ${seeds.length} seed archives (${seeds.map(s => `${s.name} ${s.bytes.length} B`).join(', ')})${skipped.length ? `; skipped: ${skipped.join(', ')}` : ''}`)
  for (const s of seeds) {
    const r = await fuzz.runCase(s.bytes, { timeoutMs: hangMs, importer: true })
    if (r.outcome.kind !== 'ok' && !selftest) throw new Error(`seed ${s.name} is not read cleanly: ${JSON.stringify(r.outcome)}`)
  }
  console.log(`${cases} cases, seed ${seed}, ${workers} workers, hang limit ${hangMs} ms`)

  const total = fuzz.newTally()
  const found = []
  const seen = new Set()
  const record = (kind, index, detail) => {
    if (seen.has(index)) return
    seen.add(index)
    const c = fuzz.makeCase(seeds, seed, index)
    const note = { kind, detail, runSeed: seed, case: index, seedArchive: c.seed, ops: c.ops, zipTs: zipHash, found: new Date().toISOString() }
    const id = save ? fuzz.saveCrasher(crasherDir, c.bytes, note) : createHash('sha1').update(c.bytes).digest('hex').slice(0, 12)
    found.push({ id, ...note })
    console.log(`  ${kind} at case ${index} (${c.seed}; ${c.ops.join('+')}): ${String(detail).split('\n')[0]} -> ${save ? relative(root, join(crasherDir, `${id}.zip`)) : id}`)
  }

  // Shared progress: per worker slot, the case being run and when it started (epoch ms).
  const slots = new Float64Array(new SharedArrayBuffer(8 * 2 * workers))
  const started = performance.now()
  let lastPrint = started
  let live = 0

  await new Promise((resolve) => {
    const spawn = (slot, from, skip) => {
      live++
      slots[2 * slot] = -1
      const state = { next: from, skip, done: false }
      const worker = new Worker(fileURLToPath(import.meta.url), {
        workerData: { bundle, seeds, seed, cases, hangMs, slot, stride: workers, from, skip, slots, diffCap: Math.ceil(diffCap / workers) },
        resourceLimits: { maxOldGenerationSizeMb: 512 },
      })
      const finish = () => {
        clearInterval(watch)
        if (--live === 0) resolve()
      }
      const restartAfter = (kind, detail) => {
        const index = slots[2 * slot]
        if (index < 0) return
        state.done = true
        record(kind, index, detail)
        if (kind === 'hang') total.hangs++
        else total.crashers++
        total.cases++
        worker.terminate()
        // Resume before counting this worker out, so the run does not look finished in between.
        spawn(slot, state.next, [...state.skip, index])
        finish()
      }
      worker.on('message', (m) => {
        if (m.type === 'batch') {
          fuzz.merge(total, m.tally)
          state.next = m.next
          const now = performance.now()
          if (now - lastPrint > 10_000) {
            lastPrint = now
            console.log(`  ${total.cases} cases, ${Math.round(total.cases / ((now - started) / 1000))}/s, ${total.crashers} crashers, ${total.hangs} hangs`)
          }
        }
        else if (m.type === 'harness') {
          console.error(`harness error, run aborted: ${m.detail}`)
          process.exit(2)
        }
        else if (m.type === 'found') {
          record(m.kind, m.index, m.detail)
        }
        else if (m.type === 'accepted' && accepted.size < diffCap) {
          const bytes = fuzz.makeCase(seeds, seed, m.index).bytes
          accepted.set(createHash('sha1').update(bytes).digest('hex'), { index: m.index, bytes })
        }
      })
      worker.on('error', error => restartAfter('crash', `worker died: ${error.code ?? ''} ${error.message}`))
      worker.on('exit', () => {
        if (!state.done) {
          state.done = true
          finish()
        }
      })
      // A worker stuck in synchronous code cannot time itself out.
      const watch = setInterval(() => {
        if (!state.done && slots[2 * slot] >= 0 && performance.timeOrigin + performance.now() - slots[2 * slot + 1] > 5 * hangMs)
          restartAfter('hang', `no progress for ${5 * hangMs} ms (synchronous)`)
      }, 250)
    }
    for (let w = 0; w < Math.min(workers, cases); w++) spawn(w, w, [])
  })

  const seconds = (performance.now() - started) / 1000
  const refused = Object.values(total.refused).reduce((a, b) => a + b, 0)
  const pct = n => `${(100 * n / total.cases).toFixed(1)}%`
  console.log(`\ncases        ${total.cases} in ${seconds.toFixed(1)} s = ${Math.round(total.cases / seconds)} cases/s`)
  console.log(`ok           ${total.ok} (${pct(total.ok)})`)
  console.log(`refused      ${refused} (${pct(refused)}), typed errors:`)
  for (const [reason, n] of Object.entries(total.refused).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(7)}  ${reason}`)
  console.log(`reads        ${total.reads} readEntry/ZipImporter.read calls on ${total.entries} parsed entries; ${total.integrityErrors} IntegrityErrors (wrong digest)`)
  console.log(`crashers     ${total.crashers}`)
  console.log(`hangs        ${total.hangs}`)
  console.log(`max case     ${total.maxMs.toFixed(1)} ms (case ${total.maxCase})`)
  console.log(`case times   <1 ms ${total.histogram[0]}, <10 ms ${total.histogram[1]}, <100 ms ${total.histogram[2]}, <1 s ${total.histogram[3]}, ≥1 s ${total.histogram[4]}`)
  console.log(`mutators     ${Object.entries(total.ops).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  const diff = accepted.size ? compareWithPython(fuzz, accepted) : undefined
  if (diff) {
    console.log(`python diff  ${diff.compared} accepted mutants (differing from their seed) re-read by Python's zipfile: ${diff.agree} agree, ${diff.disagree.length} disagree`)
    for (const [why, list] of Object.entries(diff.groups).sort((x, y) => y[1].length - x[1].length))
      console.log(`  ${String(list.length).padStart(7)}  ${why} (e.g. case ${list.slice(0, 3).join(', ')})`)
  }
  if (process.env.FUZZ_JSON) {
    writeFileSync(process.env.FUZZ_JSON, `${JSON.stringify({ cases: total.cases, seed, workers, hangMs, seconds, casesPerSecond: total.cases / seconds, zipTs: zipHash, seeds: seeds.map(s => [s.name, s.bytes.length]), tally: total, found, diff }, null, 2)}\n`)
  }
  process.exitCode = total.crashers || total.hangs ? 1 : 0
}

// Accepted mutants, read again by an independent reader: same entries, sizes and CRC-32s? Names
// are compared as bytes (Python decodes names without flag bit 11 as cp437; this reader as UTF-8).
const PY_READ = `
import json, sys, zipfile, zlib, os
out = {}
for f in sorted(os.listdir(sys.argv[1])):
    try:
        with zipfile.ZipFile(os.path.join(sys.argv[1], f)) as z:
            rows = []
            for i in z.infolist():
                raw = i.filename.encode('utf-8' if i.flag_bits & 0x800 else 'cp437')
                if i.orig_filename != i.filename: raw = i.orig_filename.encode('utf-8' if i.flag_bits & 0x800 else 'cp437')
                data = z.read(i)
                rows.append([raw.decode('utf-8', 'replace'), len(data), zlib.crc32(data)])
            out[f] = rows
    except Exception as e:
        out[f] = type(e).__name__ + ': ' + str(e)
print(json.dumps(out))
`
function compareWithPython(fuzz, accepted) {
  const dir = join(here, '.tmp/fuzz/accepted')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const [hash, { bytes }] of accepted) writeFileSync(join(dir, `${hash}.zip`), bytes)
  let python
  try {
    python = JSON.parse(execFileSync('python3', ['-c', PY_READ, dir], { maxBuffer: 1 << 28 }).toString())
  }
  catch (error) {
    console.log(`python diff  skipped: ${error.message}`)
    return undefined
  }
  const disagree = []
  for (const [hash, { index, bytes }] of accepted) {
    const ours = fuzz.listing(bytes)
    const theirs = python[`${hash}.zip`]
    const why = typeof theirs === 'string'
      ? `Python refuses: ${theirs}`
      : JSON.stringify(ours) !== JSON.stringify(theirs) ? `ours ${JSON.stringify(ours)} vs Python ${JSON.stringify(theirs)}` : ''
    if (why) disagree.push({ index, hash, why })
  }
  // Grouped by Python's complaint, numbers and names left out.
  const groups = {}
  for (const d of disagree) (groups[d.why.startsWith('ours') ? 'different listing' : d.why.replace(/<ZipInfo[^>]*>|'[^']*'|b'[^']*'|\d+(\.\d+)?/g, '…')] ??= []).push(d.index)
  return { compared: accepted.size, agree: accepted.size - disagree.length, disagree, groups }
}

async function work() {
  const { bundle, seeds, seed, cases, hangMs, slot, stride, from, skip, slots, diffCap } = workerData
  let diffs = 0
  const seedOf = new Map(seeds.map(s => [s.name, s.bytes]))
  const fuzz = await import(pathToFileURL(bundle).href)
  let current = -1
  // A rejection nobody handles (e.g. a stream error left behind) is a crasher of the running case.
  let leaked
  process.on('unhandledRejection', (reason) => {
    leaked ??= `unhandled rejection in case ${current}: ${reason?.name}: ${reason?.message ?? reason}`
  })
  let tally = fuzz.newTally()
  let inBatch = 0
  for (let i = from; i < cases; i += stride) {
    if (skip.includes(i)) continue
    let c
    try {
      c = fuzz.makeCase(seeds, seed, i)
    }
    catch (error) {
      // A bug in the mutators, not in the reader: stop the run.
      parentPort.postMessage({ type: 'harness', detail: `makeCase(${seed}, ${i}) threw: ${error.stack}` })
      process.exit(2)
    }
    current = i
    slots[2 * slot + 1] = performance.timeOrigin + performance.now()
    slots[2 * slot] = i
    const result = await fuzz.runCase(c.bytes, { timeoutMs: hangMs, importer: i % 4 === 0 })
    if (leaked) {
      result.outcome = { kind: 'crash', error: leaked }
      leaked = undefined
    }
    fuzz.count(tally, result, i, c.ops)
    if (result.outcome.kind === 'ok' && diffs < diffCap && !fuzz.same(c.bytes, seedOf.get(c.seed))) {
      diffs++
      parentPort.postMessage({ type: 'accepted', index: i })
    }
    if (result.outcome.kind === 'crash' || result.outcome.kind === 'hang')
      parentPort.postMessage({ type: 'found', kind: result.outcome.kind, index: i, detail: result.outcome.error ?? `${result.ms.toFixed(0)} ms` })
    if (++inBatch === 200) {
      parentPort.postMessage({ type: 'batch', tally, next: i + stride })
      tally = fuzz.newTally()
      inBatch = 0
    }
  }
  slots[2 * slot] = -1
  parentPort.postMessage({ type: 'batch', tally, next: cases })
}

if (isMainThread) await main()
else await work()
