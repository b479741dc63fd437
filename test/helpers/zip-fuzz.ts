// A seeded mutation fuzzer for the runtime zip reader (src/runtime/zip.ts), shared by
// test/runtime/zip-fuzz.test.ts (a few thousand cases in CI) and bench/fuzz-zip.mjs (100,000+ cases,
// which bundles this file with rolldown). Everything is deterministic from (seed, case index): a
// case can be rebuilt alone with `makeCase(corpus, seed, index)`.
//
// The property: for any bytes, `parseZip` + `readEntry` on every entry (with and without a sha-384
// digest) either give content that matches the entry's declared size and CRC-32, or fail with
// `ArchiveFormatError` / `IntegrityError` naming the archive, within the time limit. Anything else
// (another error class, a wrong output, an unhandled rejection, a hang) is a crasher.
import type { ZipEntry } from '../../src/runtime/zip'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 as zlibCrc32 } from 'node:zlib'
import { writeZip } from '../../src/core/zip-writer'
import { ArchiveFormatError, IntegrityError } from '../../src/runtime/errors'
import { parseZip, readEntry, ZipImporter } from '../../src/runtime/zip'
import { prng } from './random'

export const ARCHIVE = 'fuzz.zip'

// ---------------------------------------------------------------------------------------------
// Randomness: mulberry32, seeded per case.

export interface Rng {
  /** [0, 1) */
  next: () => number
  /** Integer in [0, n). */
  int: (n: number) => number
  pick: <T>(list: readonly T[]) => T
  chance: (p: number) => boolean
}

export function rng(seed: number): Rng {
  const next = prng(seed)
  const int = (n: number) => Math.floor(next() * n)
  return { next, int, pick: list => list[int(list.length)], chance: p => next() < p }
}

/** One 32-bit seed per (run seed, case index), well mixed so neighbouring cases differ. */
export function caseSeed(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x9E3779B9, 0x85EBCA6B) ^ Math.imul(index + 1, 0xC2B2AE35)
  h = Math.imul(h ^ (h >>> 16), 0x7FEB352D)
  h = Math.imul(h ^ (h >>> 15), 0x846CA68B)
  return (h ^ (h >>> 16)) | 0
}

// ---------------------------------------------------------------------------------------------
// Seed corpus: small archives (< 2 KB) from this project's writer, Python's zipfile and Info-ZIP.

export interface Seed { name: string, bytes: Uint8Array }

const enc = (text: string) => new TextEncoder().encode(text)
const SOURCE: [string, Uint8Array][] = [
  ['a.txt', enc('hello zip\n')],
  ['empty.txt', new Uint8Array()],
  ['dir/', new Uint8Array()],
  ['dir/b.bin', Uint8Array.from({ length: 64 }, (_, i) => (i * 167 + 13) & 255)],
  ['dir/c.js', enc('export const line = "a fairly compressible line";\n'.repeat(8))],
  ['ünï.txt', enc('non-ASCII name\n')],
]

const PY = `
import io, sys, zipfile
out, mode = sys.argv[1], sys.argv[2]
files = [('a.txt', b'hello zip\\n'), ('empty.txt', b''), ('dir/', b''), ('dir/b.bin', bytes((i * 167 + 13) & 255 for i in range(64))),
         ('dir/c.js', b'export const line = "a fairly compressible line";\\n' * 8), ('\\u00fcn\\u00ef.txt', b'non-ASCII name\\n')]
class Pipe:  # not seekable: zipfile then writes data descriptors (flag bit 3)
    def __init__(self): self.b = io.BytesIO()
    def write(self, d): return self.b.write(d)
    def flush(self): pass
target = Pipe() if mode == 'pipe' else out
method = zipfile.ZIP_STORED if mode == 'stored' else zipfile.ZIP_DEFLATED
with zipfile.ZipFile(target, 'w', compression=method) as z:
    if mode == 'comment': z.comment = b'a zip comment'
    for name, data in files:
        info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED if name.endswith('/') else method
        info.external_attr = (0o40755 << 16 | 0x10) if name.endswith('/') else 0o100644 << 16
        z.writestr(info, data)
if mode == 'pipe': open(out, 'wb').write(target.b.getvalue())
`

/** Builds the seed archives. Tools that are missing are skipped (and named in `skipped`). */
export function makeCorpus(): { seeds: Seed[], skipped: string[] } {
  const seeds: Seed[] = []
  const skipped: string[] = []
  const files = SOURCE.map(([name, data]) => ({ name, data }))
  seeds.push({ name: 'writer-store', bytes: writeZip(files, { compression: 'store' }).bytes })
  seeds.push({ name: 'writer-deflate', bytes: writeZip(files, { compression: 'deflate' }).bytes })
  seeds.push({ name: 'writer-one-deflated', bytes: writeZip(files.filter(f => f.name === 'dir/c.js'), { compression: 'deflate' }).bytes })
  seeds.push({ name: 'writer-empty-file-and-dir', bytes: writeZip(files.filter(f => !f.data.length), { compression: 'store' }).bytes })
  // 200 kB of zeros deflate to ~200 B (deflate's ratio limit is 1032:1): size mutations then make
  // real bombs (more output than declared) and short reads.
  seeds.push({ name: 'writer-bomb', bytes: writeZip([{ name: 'zeros', data: new Uint8Array(200_000) }, files[0]], { compression: 'deflate' }).bytes })
  seeds.push({ name: 'writer-no-entries', bytes: writeZip([], { compression: 'store' }).bytes })

  const dir = mkdtempSync(join(tmpdir(), 'zip-fuzz-'))
  try {
    for (const mode of ['stored', 'deflated', 'comment', 'pipe']) {
      const out = join(dir, `py-${mode}.zip`)
      try {
        execFileSync('python3', ['-c', PY, out, mode], { stdio: ['ignore', 'ignore', 'pipe'] })
        seeds.push({ name: `python-${mode}`, bytes: new Uint8Array(readFileSync(out)) })
      }
      catch {
        skipped.push(`python-${mode}`)
      }
    }
    const src = join(dir, 'src')
    const fixed = new Date('2020-01-01T00:00:00Z')
    for (const [name, data] of SOURCE) {
      mkdirSync(join(src, name, name.endsWith('/') ? '' : '..'), { recursive: true })
      if (!name.endsWith('/')) writeFileSync(join(src, name), data)
    }
    for (const [name] of [...SOURCE].reverse()) utimesSync(join(src, name), fixed, fixed)
    utimesSync(src, fixed, fixed)
    const env = { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' }
    // -X: no extra fields; without it, zip adds UT/ux extra fields (local and central differ).
    for (const [label, args] of [['deflate', ['-X']], ['store', ['-X', '-0']], ['extra-fields', []], ['pipe', ['-X']]] as const) {
      try {
        const piped = label === 'pipe'
        const out = join(dir, `info-${label}.zip`)
        const stdout = execFileSync('/usr/bin/zip', ['-q', '-r', ...args, piped ? '-' : out, '.'], { cwd: src, env, stdio: ['ignore', 'pipe', 'pipe'] })
        seeds.push({ name: `infozip-${label}`, bytes: new Uint8Array(piped ? stdout : readFileSync(out)) })
      }
      catch {
        skipped.push(`infozip-${label}`)
      }
    }
  }
  finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return { seeds, skipped }
}

// ---------------------------------------------------------------------------------------------
// Structure, found leniently (by signature) so mutators can aim at header fields.

type Kind = 'local' | 'central' | 'end' | 'descriptor'
const SIGNATURES: [Kind, number][] = [['local', 0x04034B50], ['central', 0x02014B50], ['end', 0x06054B50], ['descriptor', 0x08074B50]]
// [offset, width] of every field after the signature.
const FIELDS: Record<Kind, [number, 2 | 4][]> = {
  local: [[4, 2], [6, 2], [8, 2], [10, 2], [12, 2], [14, 4], [18, 4], [22, 4], [26, 2], [28, 2]],
  central: [[4, 2], [6, 2], [8, 2], [10, 2], [12, 2], [14, 2], [16, 4], [20, 4], [24, 4], [28, 2], [30, 2], [32, 2], [34, 2], [36, 2], [38, 4], [42, 4]],
  end: [[4, 2], [6, 2], [8, 2], [10, 2], [12, 4], [16, 4], [20, 2]],
  descriptor: [[4, 4], [8, 4], [12, 4]],
}
// Same field in a central header and its local header: [central offset, local offset, width].
const PAIRED = {
  flags: [8, 6, 2],
  method: [10, 8, 2],
  crc: [16, 14, 4],
  compressedSize: [20, 18, 4],
  size: [24, 22, 4],
  nameLength: [28, 26, 2],
  extraLength: [30, 28, 2],
} as const

const get = (b: Uint8Array, at: number, width: number) => at < 0 || at + width > b.length ? 0 : width === 2 ? b[at] | (b[at + 1] << 8) : (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0
function put(b: Uint8Array, at: number, width: number, value: number) {
  for (let i = 0; i < width; i++) {
    if (at + i >= 0 && at + i < b.length) b[at + i] = (value >>> (8 * i)) & 255
  }
}

/** `b.set(bytes, at)` for the part that falls inside `b` (mutators must never throw). */
function write(b: Uint8Array, bytes: Uint8Array, at: number) {
  for (let i = 0; i < bytes.length; i++) {
    if (at + i >= 0 && at + i < b.length) b[at + i] = bytes[i]
  }
}

interface Header { kind: Kind, at: number }
function headers(b: Uint8Array): Header[] {
  const found: Header[] = []
  for (let i = 0; i + 4 <= b.length; i++) {
    if (b[i] !== 0x50 || b[i + 1] !== 0x4B) continue
    const sig = get(b, i, 4)
    for (const [kind, s] of SIGNATURES) if (s === sig) found.push({ kind, at: i })
  }
  return found
}
/** Central headers whose offset field points at a local header. */
/** One local/central header pair to mutate, or undefined when the archive has none. */
function pickPair(b: Uint8Array, r: Rng) {
  const all = pairs(b)
  return all.length ? r.pick(all) : undefined
}

function pairs(b: Uint8Array): { central: number, local: number }[] {
  return headers(b).filter(h => h.kind === 'central').map(h => ({ central: h.at, local: get(b, h.at + 42, 4) })).filter(p => get(b, p.local, 4) === 0x04034B50)
}
const lastEnd = (b: Uint8Array) => headers(b).filter(h => h.kind === 'end').at(-1)?.at

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
/** After `delta` bytes were inserted (or removed) at `at`: moves offsets that pointed past it. */
function shift(b: Uint8Array, at: number, delta: number): Uint8Array {
  const all = headers(b)
  for (const h of all.filter(h => h.kind === 'central')) {
    const offset = get(b, h.at + 42, 4)
    if (offset >= at) put(b, h.at + 42, 4, offset + delta)
  }
  for (const h of all.filter(h => h.kind === 'end')) {
    const cd = get(b, h.at + 16, 4)
    if (cd >= at) put(b, h.at + 16, 4, cd + delta)
    else if (cd + get(b, h.at + 12, 4) >= at) put(b, h.at + 12, 4, get(b, h.at + 12, 4) + delta)
  }
  return b
}
const randomBytes = (r: Rng, n: number) => Uint8Array.from({ length: n }, () => r.chance(0.3) ? r.pick(BYTE_VALUES) : r.int(256))

// ---------------------------------------------------------------------------------------------
// Mutators. Each takes a private copy and may return a new array (length changes).

const BYTE_VALUES = [0, 1, 0x2E, 0x2F, 0x3A, 0x5C, 0x7F, 0x80, 0xC3, 0xFE, 0xFF]
const U16_VALUES = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF]
const U32_VALUES = [...U16_VALUES, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF]

function interesting(r: Rng, b: Uint8Array, width: 2 | 4, current: number): number {
  switch (r.int(6)) {
    case 0: return current + (r.chance(0.5) ? 1 : -1) * (1 + r.int(r.chance(0.7) ? 4 : 64))
    case 1: return b.length + r.int(5) - 2
    case 2: return r.int(b.length + 1)
    case 3: return r.int(width === 2 ? 0x10000 : 0x100000000)
    default: return r.pick(width === 2 ? U16_VALUES : U32_VALUES)
  }
}

interface Ctx { seeds: Seed[] }
type Mutator = (b: Uint8Array, r: Rng, ctx: Ctx) => Uint8Array

export const MUTATORS: Record<string, Mutator> = {
  bitflip(b, r) {
    for (let n = 1 + r.int(r.chance(0.8) ? 3 : 16); n--;) {
      const bit = r.int(b.length * 8)
      if (b.length) b[bit >> 3] ^= 1 << (bit & 7)
    }
    return b
  },
  byte(b, r) {
    for (let n = 1 + r.int(4); n-- && b.length;) b[r.int(b.length)] = r.pick(BYTE_VALUES)
    return b
  },
  // One header field set to an interesting value: 0, 0xFF.., 0x7F.., 0x80.., the file length, ±delta.
  field(b, r) {
    const all = headers(b)
    if (!all.length) return MUTATORS.byte(b, r, { seeds: [] })
    for (let n = r.chance(0.75) ? 1 : 2 + r.int(3); n--;) {
      const h = r.pick(all)
      const [offset, width] = r.pick(FIELDS[h.kind])
      put(b, h.at + offset, width, interesting(r, b, width, get(b, h.at + offset, width)))
    }
    return b
  },
  // The same field rewritten in a central header and its local header, so the local-header
  // cross-check passes and the value reaches the later checks and the read.
  paired(b, r) {
    const p = pickPair(b, r)
    if (!p) return MUTATORS.field(b, r, { seeds: [] })
    const [c, l, width] = PAIRED[r.pick(Object.keys(PAIRED) as (keyof typeof PAIRED)[])]
    const value = interesting(r, b, width, get(b, p.central + c, width))
    put(b, p.central + c, width, value)
    put(b, p.local + l, width, value)
    return b
  },
  // Zip-bomb style: a declared size far beyond the data (or just off by one), in both headers.
  bomb(b, r) {
    const p = pickPair(b, r)
    if (!p) return MUTATORS.field(b, r, { seeds: [] })
    const compressed = get(b, p.central + 20, 4)
    const size = get(b, p.central + 24, 4)
    const value = r.pick([compressed * 1032, compressed * 1032 + 1, compressed * 1032 - 1, size + 1, size - 1, size * 2, 0, 1 << 24, 0x7FFFFFFF, 0xFFFFFFFE, 0x3FFFFFFF])
    for (const at of [p.central + 24, p.local + 22]) put(b, at, 4, value)
    if (r.chance(0.3)) for (const at of [p.central + 10, p.local + 8]) put(b, at, 2, 8)
    return b
  },
  method(b, r) {
    const p = pickPair(b, r)
    if (!p) return MUTATORS.field(b, r, { seeds: [] })
    const value = r.chance(0.8) ? get(b, p.central + 10, 2) === 8 ? 0 : 8 : r.pick([1, 9, 12, 14, 93, 99, 0xFFFF])
    for (const at of [p.central + 10, p.local + 8]) put(b, at, 2, value)
    return b
  },
  // Hostile names of the same length, in both headers: `..`, `/`, `\`, `C:`, NUL, bad UTF-8.
  name(b, r) {
    const all = pairs(b)
    if (!all.length) return MUTATORS.byte(b, r, { seeds: [] })
    const p = r.pick(all)
    const length = get(b, p.central + 28, 2)
    if (!length) return b
    const pieces = [[0x2E, 0x2E, 0x2F], [0x2F], [0x5C], [0x43, 0x3A], [0], [0xFF], [0xC3], [0xE6, 0x97], [0x2E, 0x2E], [0x2F, 0x2E, 0x2E]]
    const piece = r.pick(pieces)
    const where = r.chance(0.5) ? 0 : r.int(length)
    if (r.chance(0.15)) {
      // Or copy another entry's name (a duplicate) when the lengths agree.
      const other = r.pick(all)
      if (get(b, other.central + 28, 2) === length) {
        const copy = b.slice(other.central + 46, other.central + 46 + length)
        write(b, copy, p.central + 46)
        write(b, copy, p.local + 30)
        return b
      }
    }
    write(b, Uint8Array.from(piece.slice(0, length - where)), p.central + 46 + where)
    write(b, Uint8Array.from(piece.slice(0, length - where)), p.local + 30 + where)
    return b
  },
  truncate(b, r) {
    const all = headers(b)
    const cut = all.length && r.chance(0.5) ? r.pick(all).at + r.int(8) - 2 : r.int(b.length)
    return b.slice(0, Math.max(0, Math.min(b.length, cut)))
  },
  // Bytes after the end: plain trailing junk, or a longer comment with its length fixed up.
  extend(b, r) {
    const extra = randomBytes(r, 1 + r.int(r.chance(0.8) ? 16 : 300))
    const end = lastEnd(b)
    if (end !== undefined && r.chance(0.5)) {
      const out = concat(b, extra)
      put(out, end + 20, 2, get(out, end + 20, 2) + extra.length)
      return out
    }
    return concat(b, extra)
  },
  // Bytes inserted, at random or at a header; half the time the offsets after them are fixed up.
  insert(b, r) {
    const all = headers(b)
    const at = all.length && r.chance(0.5) ? r.pick(all).at + r.pick([0, 0, 4, 30, 46]) : r.int(b.length + 1)
    const where = Math.max(0, Math.min(b.length, at))
    const bytes = randomBytes(r, 1 + r.int(32))
    const out = concat(b.subarray(0, where), bytes, b.subarray(where))
    return r.chance(0.5) ? shift(out, where, bytes.length) : out
  },
  delete(b, r) {
    const at = r.int(b.length + 1)
    const length = Math.min(b.length - at, 1 + r.int(32))
    const out = concat(b.subarray(0, at), b.subarray(at + length))
    return r.chance(0.5) ? shift(out, at, -length) : out
  },
  // A prefix of this archive and a suffix of another (or a chunk of another written over this).
  splice(b, r, ctx) {
    const other = r.pick(ctx.seeds).bytes
    if (r.chance(0.6)) return concat(b.subarray(0, r.int(b.length + 1)), other.subarray(r.int(other.length + 1)))
    const from = r.int(other.length)
    const chunk = other.subarray(from, from + 1 + r.int(64))
    const out = b.length >= chunk.length ? b : concat(b, new Uint8Array(chunk.length - b.length))
    out.set(chunk, r.int(out.length - chunk.length + 1))
    return out
  },
  // Another archive's entries placed before this one, offsets and end record fixed up: a valid
  // archive with junk in front (like a self-extractor), or with offsets left wrong.
  prefix(b, r, ctx) {
    const junk = r.chance(0.5) ? r.pick(ctx.seeds).bytes : randomBytes(r, 1 + r.int(64))
    const out = concat(junk, b)
    if (r.chance(0.7)) {
      const end = lastEnd(b)
      if (end !== undefined) {
        for (const h of headers(b).filter(h => h.kind === 'central')) put(out, junk.length + h.at + 42, 4, get(b, h.at + 42, 4) + junk.length)
        put(out, junk.length + end + 16, 4, get(b, end + 16, 4) + junk.length)
      }
    }
    return out
  },
  // A central entry copied (same name, or one byte changed; same local header, or another's), with
  // the end record's count and size fixed up: duplicates and overlaps.
  dupCentral(b, r) {
    const end = lastEnd(b)
    const all = headers(b).filter(h => h.kind === 'central' && end !== undefined && h.at < end)
    if (end === undefined || !all.length) return MUTATORS.field(b, r, { seeds: [] })
    const h = r.pick(all)
    const length = 46 + get(b, h.at + 28, 2) + get(b, h.at + 30, 2) + get(b, h.at + 32, 2)
    const record = b.slice(h.at, Math.min(h.at + length, end))
    if (r.chance(0.4) && record.length > 46 && get(b, h.at + 28, 2)) record[46 + r.int(get(b, h.at + 28, 2))] ^= 1 << r.int(7)
    if (r.chance(0.4)) {
      const other = r.pick(pairs(b))
      if (other) put(record, 42, 4, other.local)
    }
    const at = r.chance(0.5) ? end : h.at + record.length
    const out = concat(b.subarray(0, at), record, b.subarray(at))
    const newEnd = end + record.length
    const count = get(out, newEnd + 10, 2) + 1
    put(out, newEnd + 8, 2, count)
    put(out, newEnd + 10, 2, count)
    put(out, newEnd + 12, 4, get(out, newEnd + 12, 4) + record.length)
    return out
  },
  // An entry's compressed size grown (both headers) to run into the next entry: overlapping data.
  overlap(b, r) {
    const all = pairs(b).sort((x, y) => x.local - y.local)
    if (all.length < 2) return MUTATORS.paired(b, r, { seeds: [] })
    const i = r.int(all.length - 1)
    const p = all[i]
    const dataOffset = p.local + 30 + get(b, p.local + 26, 2) + get(b, p.local + 28, 2)
    const target = all[i + 1 + r.int(all.length - i - 1)].local
    const grown = Math.max(0, target - dataOffset + r.int(40))
    for (const at of [p.central + 20, p.local + 18]) put(b, at, 4, grown)
    if (get(b, p.central + 10, 2) === 0 || r.chance(0.3)) for (const at of [p.central + 24, p.local + 22]) put(b, at, 4, grown)
    return b
  },
  // A second end record: inside a comment, or appended.
  fakeEnd(b, r) {
    const end = lastEnd(b)
    if (end === undefined) return MUTATORS.extend(b, r, { seeds: [] })
    const record = b.slice(end, end + 22)
    MUTATORS.field(record, r, { seeds: [] })
    if (r.chance(0.5)) put(record, 20, 2, r.int(3))
    const out = concat(b, record)
    if (r.chance(0.5)) put(out, end + 20, 2, get(out, end + 20, 2) + record.length)
    return out
  },
  // Entry data changed (compressed bytes), headers untouched: CRC or inflate must catch it.
  data(b, r) {
    const p = pickPair(b, r)
    if (!p) return MUTATORS.bitflip(b, r, { seeds: [] })
    const start = p.local + 30 + get(b, p.local + 26, 2) + get(b, p.local + 28, 2)
    const length = get(b, p.central + 20, 4)
    if (!length || start + length > b.length) return MUTATORS.bitflip(b, r, { seeds: [] })
    for (let n = 1 + r.int(3); n--;) {
      const at = start + r.int(length)
      b[at] = r.chance(0.5) ? b[at] ^ (1 << r.int(8)) : r.pick(BYTE_VALUES)
    }
    return b
  },
}

const SINGLE = Object.keys(MUTATORS)

export interface Case { index: number, seed: string, ops: string[], bytes: Uint8Array }

/** The mutated archive of case `index` of a run seeded with `seed`. */
export function makeCase(seeds: Seed[], seed: number, index: number): Case {
  const r = rng(caseSeed(seed, index))
  const origin = r.pick(seeds)
  let bytes: Uint8Array = origin.bytes.slice()
  // Mostly one mutation (structure survives, so checks deep in the reader are reached); a quarter
  // "havoc" stacks 2–6.
  const ops = Array.from({ length: r.chance(0.75) ? 1 : 2 + r.int(5) }, () => r.pick(SINGLE))
  for (const op of ops) bytes = MUTATORS[op](bytes, r, { seeds })
  return { index, seed: origin.name, ops, bytes }
}

// ---------------------------------------------------------------------------------------------
// Running one case.

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'refused', reason: string }
  | { kind: 'crash', error: string }
  | { kind: 'hang' }

export interface CaseResult {
  outcome: Outcome
  ms: number
  entries: number
  /** readEntry/ZipImporter.read calls made, and how many of them ended in IntegrityError. */
  reads: number
  integrityErrors: number
}

const sha384 = (bytes: Uint8Array) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`
const WRONG = sha384(enc('not the entry'))

class Crash extends Error {}

/** The reason bucket of a typed error for this archive, or throws `Crash`. */
function typed(error: unknown, where: string): string {
  if (error instanceof ArchiveFormatError && error.archive === ARCHIVE && typeof error.reason === 'string')
    return `${where}: ${error.reason.replace(/method \d+/, 'method N')}`
  if (error instanceof IntegrityError && error.source === ARCHIVE && error.expected && error.actual)
    return `${where}: integrity`
  if (error instanceof ArchiveFormatError || error instanceof IntegrityError)
    throw new Crash(`${where}: typed error without the archive name: ${(error as Error).message}`)
  const e = error as Error
  throw new Crash(`${where}: ${e?.name ?? typeof error}: ${e?.message ?? String(error)}${e?.stack ? `\n${e.stack.split('\n').slice(1, 6).join('\n')}` : ''}`)
}

function must(ok: unknown, what: string): asserts ok {
  if (!ok) throw new Crash(what)
}

interface Stats { reads: number, integrityErrors: number }

/**
 * Reads one entry: plain; then, when that worked, with its right digest (same bytes) and a wrong
 * one (IntegrityError); when it failed, with a digest, which must fail for the same reason.
 */
async function readChecked(bytes: Uint8Array, entry: ZipEntry, stats: Stats): Promise<string | undefined> {
  const read = (integrity?: string) => {
    stats.reads++
    return readEntry(bytes, entry, ARCHIVE, integrity)
  }
  let out: Uint8Array
  try {
    out = await read()
  }
  catch (error) {
    const reason = typed(error, 'read')
    try {
      await read(WRONG)
    }
    catch (again) {
      const second = typed(again, 'read')
      must(second === reason, `read: ${JSON.stringify(entry.name)} refused plain (${reason}), with a digest (${second})`)
      return reason
    }
    throw new Crash(`read: ${JSON.stringify(entry.name)} refused plain (${reason}) but read with a digest`)
  }
  must(out instanceof Uint8Array, 'read: not a Uint8Array')
  must(out.length === entry.size, `read: ${JSON.stringify(entry.name)} gave ${out.length} bytes, declared ${entry.size}`)
  must(zlibCrc32(out) === entry.crc32, `read: ${JSON.stringify(entry.name)} CRC-32 ${zlibCrc32(out)} is not the declared ${entry.crc32}`)
  const digest = sha384(out)
  let again: Uint8Array
  try {
    again = await read(digest)
  }
  catch (error) {
    throw new Crash(`read: ${JSON.stringify(entry.name)} refused with its own digest: ${(error as Error)?.message}`)
  }
  must(Buffer.from(again).equals(Buffer.from(out)), `read: ${JSON.stringify(entry.name)} differs between reads`)
  try {
    await read(WRONG)
  }
  catch (error) {
    must(error instanceof IntegrityError, `read: a wrong digest gave ${(error as Error)?.name}, not IntegrityError`)
    typed(error, 'read')
    stats.integrityErrors++
    return undefined
  }
  throw new Crash(`read: ${JSON.stringify(entry.name)} accepted with a wrong digest`)
}

async function exercise(bytes: Uint8Array, importer: boolean, stats: Stats): Promise<{ outcome: Outcome, entries: number }> {
  let parsed: Map<string, ZipEntry>
  try {
    parsed = parseZip(bytes, ARCHIVE)
  }
  catch (error) {
    return { outcome: { kind: 'refused', reason: typed(error, 'parse') }, entries: 0 }
  }
  must(parsed instanceof Map, 'parse: not a Map')
  const entries = [...parsed.values()]
  must(entries.every(e => parsed.get(e.name) === e), 'parse: an entry under another name')
  const names = new Set<string>()
  for (const e of entries) {
    must(typeof e.name === 'string' && !names.has(e.name), `parse: duplicate or odd name ${JSON.stringify(e.name)}`)
    names.add(e.name)
    must(e.method === 0 || e.method === 8, `parse: method ${e.method}`)
    for (const key of ['offset', 'dataOffset', 'compressedSize', 'size', 'crc32'] as const)
      must(Number.isInteger(e[key]) && e[key] >= 0 && e[key] <= 0xFFFFFFFF, `parse: ${key} ${e[key]}`)
    must(e.offset < e.dataOffset && e.dataOffset + e.compressedSize <= bytes.length, `parse: ${JSON.stringify(e.name)} data outside the file`)
    must(!e.name.endsWith('/') || e.size === 0, `parse: directory ${JSON.stringify(e.name)} with data`)
  }
  const ranges = entries.map(e => [e.offset, e.dataOffset + e.compressedSize]).sort((a, b) => a[0] - b[0])
  for (let i = 1; i < ranges.length; i++) must(ranges[i][0] >= ranges[i - 1][1], 'parse: accepted overlapping entries')
  let refused: string | undefined
  for (const e of entries) {
    const reason = await readChecked(bytes, e, stats)
    refused ??= reason
  }
  if (importer) {
    // The public class over the same bytes: lists the files, and reads the first one alike.
    const zip = new ZipImporter(bytes.slice(), { name: ARCHIVE })
    const files = entries.filter(e => !e.name.endsWith('/'))
    const list = await zip.list()
    must(list.join('\n') === files.map(e => e.name).join('\n'), 'ZipImporter.list differs from parseZip')
    if (files.length) {
      let data: Uint8Array | undefined
      stats.reads++
      try {
        data = await zip.read(files[0].name)
      }
      catch (error) {
        typed(error, 'ZipImporter.read')
      }
      if (data) must(data.length === files[0].size && zlibCrc32(data) === files[0].crc32, 'ZipImporter.read gave other bytes')
    }
  }
  return { outcome: refused ? { kind: 'refused', reason: refused } : { kind: 'ok' }, entries: entries.length }
}

/**
 * Runs one archive through the reader under a time limit. A case that does not settle in
 * `timeoutMs` (async hang), or settles later than that (slow synchronous work), is a hang.
 */
export async function runCase(bytes: Uint8Array, options: { timeoutMs: number, importer?: boolean }): Promise<CaseResult> {
  const started = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const hang = new Promise<'hang'>(resolve => timer = setTimeout(resolve, options.timeoutMs, 'hang'))
  let outcome: Outcome
  let entries = 0
  const stats: Stats = { reads: 0, integrityErrors: 0 }
  try {
    const result = await Promise.race([exercise(bytes, !!options.importer, stats), hang])
    if (result === 'hang') outcome = { kind: 'hang' }
    else ({ outcome, entries } = result)
  }
  catch (error) {
    outcome = { kind: 'crash', error: error instanceof Crash ? error.message : `uncaught ${(error as Error)?.name}: ${(error as Error)?.message}` }
  }
  finally {
    clearTimeout(timer)
  }
  const ms = performance.now() - started
  if (outcome.kind !== 'hang' && ms > options.timeoutMs) outcome = { kind: 'hang' }
  return { outcome, ms, entries, ...stats }
}

/** What the reader lists for an archive: [name, size, crc] per entry (for comparing with other readers). */
export const listing = (bytes: Uint8Array): [string, number, number][] => [...parseZip(bytes, ARCHIVE).values()].map(e => [e.name, e.size, e.crc32])

/** Byte-equal arrays. */
export const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b)

// ---------------------------------------------------------------------------------------------
// Crashers and regression inputs: kept as test/fixtures/zip-crashers/<sha1 prefix>.zip + .json.

export const CRASHER_DIR = join(import.meta.dirname, '../fixtures/zip-crashers')

export function saveCrasher(dir: string, bytes: Uint8Array, note: Record<string, unknown>): string {
  const id = createHash('sha1').update(bytes).digest('hex').slice(0, 12)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${id}.zip`), bytes)
  writeFileSync(join(dir, `${id}.json`), `${JSON.stringify({ ...note, size: bytes.length }, null, 2)}\n`)
  return id
}

/** What a kept file's note says it must give: a refusal for a `regression` input, else not a crash. */
export type Expected = { kind: 'refused', reason: string } | { kind: 'ok or refused' }

export function crasherFiles(dir = CRASHER_DIR): { name: string, bytes: Uint8Array, expected: Expected }[] {
  const names = readdirSync(dir).filter(n => n.endsWith('.zip')).sort()
  return names.map((name) => {
    const note = JSON.parse(readFileSync(join(dir, name.replace(/\.zip$/, '.json')), 'utf8'))
    return { name, bytes: new Uint8Array(readFileSync(join(dir, name))), expected: note.expect ?? { kind: 'ok or refused' } }
  })
}

// ---------------------------------------------------------------------------------------------
// Tallies, mergeable across workers.

export interface Tally {
  cases: number
  ok: number
  refused: Record<string, number>
  crashers: number
  hangs: number
  entries: number
  reads: number
  integrityErrors: number
  maxMs: number
  maxCase: number
  /** Case times: < 1 ms, < 10 ms, < 100 ms, < 1 s, ≥ 1 s. */
  histogram: [number, number, number, number, number]
  ops: Record<string, number>
}

export const newTally = (): Tally => ({ cases: 0, ok: 0, refused: {}, crashers: 0, hangs: 0, entries: 0, reads: 0, integrityErrors: 0, maxMs: 0, maxCase: -1, histogram: [0, 0, 0, 0, 0], ops: {} })

export function count(t: Tally, result: CaseResult, index: number, ops: string[] = []): void {
  t.cases++
  t.entries += result.entries
  t.reads += result.reads
  t.integrityErrors += result.integrityErrors
  const o = result.outcome
  if (o.kind === 'ok') t.ok++
  else if (o.kind === 'refused') t.refused[o.reason] = (t.refused[o.reason] ?? 0) + 1
  else if (o.kind === 'hang') t.hangs++
  else t.crashers++
  if (result.ms > t.maxMs) {
    t.maxMs = result.ms
    t.maxCase = index
  }
  t.histogram[result.ms < 1 ? 0 : result.ms < 10 ? 1 : result.ms < 100 ? 2 : result.ms < 1000 ? 3 : 4]++
  for (const op of ops) t.ops[op] = (t.ops[op] ?? 0) + 1
}

export function merge(into: Tally, t: Tally): Tally {
  into.cases += t.cases
  into.ok += t.ok
  for (const [k, v] of Object.entries(t.refused)) into.refused[k] = (into.refused[k] ?? 0) + v
  for (const [k, v] of Object.entries(t.ops)) into.ops[k] = (into.ops[k] ?? 0) + v
  into.crashers += t.crashers
  into.hangs += t.hangs
  into.entries += t.entries
  into.reads += t.reads
  into.integrityErrors += t.integrityErrors
  if (t.maxMs > into.maxMs) {
    into.maxMs = t.maxMs
    into.maxCase = t.maxCase
  }
  t.histogram.forEach((n, i) => into.histogram[i] += n)
  return into
}
