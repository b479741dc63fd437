// The zip reader under a seeded mutation fuzzer (test/helpers/zip-fuzz.ts): a fixed set of mutated
// archives, and every kept crasher and regression input in test/fixtures/zip-crashers/. Each must end
// in verified content or ArchiveFormatError/IntegrityError, in time; a regression input in the
// refusal its note names. The long run is bench/fuzz-zip.mjs (bench/fuzz.md).
import type { Case, CaseResult, Seed } from '../helpers/zip-fuzz'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { count, CRASHER_DIR, crasherFiles, makeCase, makeCorpus, newTally, runCase, saveCrasher } from '../helpers/zip-fuzz'

const SEED = 20261125
const CASES = Number(process.env.ZIP_FUZZ_CASES ?? 3000)
const HANG_MS = 2000

let seeds: Seed[]
beforeAll(() => {
  seeds = makeCorpus().seeds
})

/** Runs a case, counting an unhandled rejection during it as a crash of that case. */
async function run(bytes: Uint8Array, importer: boolean): Promise<CaseResult> {
  let leaked: unknown
  const listener = (reason: unknown) => leaked ??= reason
  process.on('unhandledRejection', listener)
  try {
    const result = await runCase(bytes, { timeoutMs: HANG_MS, importer })
    // A rejection left behind surfaces a tick later.
    await new Promise(resolve => setImmediate(resolve))
    if (leaked) result.outcome = { kind: 'crash', error: `unhandled rejection: ${(leaked as Error)?.message ?? leaked}` }
    return result
  }
  finally {
    process.off('unhandledRejection', listener)
  }
}

describe('zip reader under a mutation fuzzer', () => {
  it('reads every seed archive (writer, Python zipfile, Info-ZIP)', async () => {
    expect(seeds.map(s => s.name)).toEqual(expect.arrayContaining(['writer-store', 'writer-deflate', 'python-deflated', 'python-pipe', 'infozip-deflate', 'infozip-pipe']))
    for (const s of seeds) {
      expect(s.bytes.length, s.name).toBeLessThan(2048)
      expect((await run(s.bytes, true)).outcome, s.name).toEqual({ kind: 'ok' })
    }
  })

  it(`ends ${CASES} mutated archives in verified content or a typed error, none hanging`, async () => {
    const tally = newTally()
    const bad: { c: Case, result: CaseResult }[] = []
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(seeds, SEED, i)
      const result = await run(c.bytes, i % 4 === 0)
      count(tally, result, i, c.ops)
      if (result.outcome.kind === 'crash' || result.outcome.kind === 'hang') bad.push({ c, result })
    }
    // What was found goes to a temporary folder, named in the failure: a test run writes nothing into
    // the tree. Once fixed, copy the files into test/fixtures/zip-crashers/, which the next test replays.
    const kept = bad.length ? mkdtempSync(join(tmpdir(), 'zip-crashers-')) : undefined
    for (const { c, result } of bad)
      saveCrasher(kept!, c.bytes, { kind: result.outcome.kind, detail: result.outcome.kind === 'crash' ? result.outcome.error : `${result.ms} ms`, runSeed: SEED, case: c.index, seedArchive: c.seed, ops: c.ops, found: new Date().toISOString() })
    expect(bad.map(({ c, result }) => `case ${c.index} (${c.seed}; ${c.ops.join('+')}): ${JSON.stringify(result.outcome)}`), `kept in ${kept}`).toEqual([])
    expect(tally.hangs).toBe(0)
    expect(tally.maxMs).toBeLessThan(HANG_MS)
    // The mutations must reach past the first checks: some archives still read, and the refusals
    // come from many different checks, in the parse and in the read.
    expect(tally.ok).toBeGreaterThan(CASES / 20)
    const reasons = Object.keys(tally.refused)
    expect(reasons.length).toBeGreaterThanOrEqual(10)
    expect(reasons.some(r => r.startsWith('read: '))).toBe(true)
  })

  it('replays every kept crasher and regression input', async () => {
    const files = crasherFiles(CRASHER_DIR)
    // An empty or misplaced folder would pass with nothing replayed.
    expect(files.length).toBeGreaterThanOrEqual(6)
    for (const { name, bytes, expected } of files) {
      const { outcome } = await run(bytes, true)
      if (expected.kind === 'refused')
        expect(outcome, name).toEqual(expected)
      else
        expect(['ok', 'refused'], `${name}: ${JSON.stringify(outcome)}`).toContain(outcome.kind)
    }
  })
})

describe('regressions the fuzzer found by comparing readers', () => {
  it('refuses an entry whose central header alone says it is encrypted', async () => {
    const { writeZip } = await import('../../src/core/zip-writer')
    const { parseZip } = await import('../../src/runtime/zip')
    const { bytes } = writeZip([{ name: 'a.txt', data: new TextEncoder().encode('hello') }], { compression: 'store' })
    const view = new DataView(bytes.buffer)
    const cd = view.getUint32(bytes.length - 22 + 16, true)
    for (const flag of [0x01, 0x40, 0x41]) {
      const copy = bytes.slice()
      new DataView(copy.buffer).setUint16(cd + 8, flag, true)
      expect(() => parseZip(copy, 'central.zip')).toThrow(expect.objectContaining({ name: 'ArchiveFormatError', reason: 'encrypted', entry: 'a.txt' }))
    }
    expect(view.getUint16(cd + 8, true)).toBe(0)
  })
})
