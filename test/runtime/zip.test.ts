import type { AddressInfo } from 'node:net'
import type { ZipEntry } from '../../src/runtime/zip'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ArchiveFormatError, IntegrityError } from '../../src/runtime/errors'
import { crc32, parseZip, readEntry, readStoredEntry, verifyIntegrity, ZipImporter } from '../../src/runtime/zip'

const enc = (text: string) => new TextEncoder().encode(text)

/** Deterministic bytes (mulberry32), so every run tests the same corpus. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const randomBytes = (n: number, seed: number) => {
  const r = prng(seed)
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256))
}

// A hand-rolled writer for crafting archives that no honest tool writes. Returns where each
// header is, so a test can patch one field.
// `at` makes an entry's central header point at an earlier local header instead of writing one.
interface Raw { name: string | Uint8Array, data?: Uint8Array, method?: number, size?: number, stored?: Uint8Array, at?: number }
function rawZip(list: Raw[], comment = new Uint8Array()) {
  const parts: Uint8Array[] = []
  const local: number[] = []
  const central: number[] = []
  let at = 0
  const put = (b: Uint8Array) => {
    parts.push(b)
    at += b.length
  }
  const header = (e: Raw, offset?: number) => {
    const name = typeof e.name === 'string' ? enc(e.name) : e.name
    const data = e.data ?? new Uint8Array()
    const body = e.stored ?? (e.method === 8 ? deflateRawSync(data) : data)
    const b = new Uint8Array(offset === undefined ? 30 : 46)
    const v = new DataView(b.buffer)
    const c = offset === undefined ? 0 : 16 // central headers have "made by" and 14 more bytes
    v.setUint32(0, offset === undefined ? 0x04034B50 : 0x02014B50, true)
    v.setUint16(c ? 6 : 4, 20, true)
    v.setUint16(c ? 10 : 8, e.method ?? 0, true)
    v.setUint16(c ? 14 : 12, 0x21, true)
    v.setUint32(c ? 16 : 14, zlibCrc32(data), true)
    v.setUint32(c ? 20 : 18, body.length, true)
    v.setUint32(c ? 24 : 22, e.size ?? data.length, true)
    v.setUint16(c ? 28 : 26, name.length, true)
    if (c) v.setUint32(42, offset!, true)
    return { head: Uint8Array.from([...b, ...name]), body }
  }
  for (const e of list) {
    local.push(e.at ?? at)
    if (e.at !== undefined) continue
    const { head, body } = header(e)
    put(head)
    put(body)
  }
  const cd = at
  list.forEach((e, i) => {
    central.push(at)
    put(header(e, local[i]).head)
  })
  const eocd = new Uint8Array(22)
  const v = new DataView(eocd.buffer)
  v.setUint32(0, 0x06054B50, true)
  v.setUint16(8, list.length, true)
  v.setUint16(10, list.length, true)
  v.setUint32(12, at - cd, true)
  v.setUint32(16, cd, true)
  v.setUint16(20, comment.length, true)
  const end = at
  put(eocd)
  put(comment)
  const bytes = new Uint8Array(at)
  let p = 0
  for (const part of parts) {
    bytes.set(part, p)
    p += part.length
  }
  return { bytes, local, central, eocd: end, view: new DataView(bytes.buffer) }
}

/** Parses and reads everything; returns the files, or the error if it is one of ours. */
async function readAll(bytes: Uint8Array, integrity?: (e: ZipEntry) => string | undefined) {
  try {
    const entries = [...parseZip(bytes, 'test.zip').values()]
    const files = new Map<string, Uint8Array>()
    for (const e of entries) files.set(e.name, await readEntry(bytes, e, 'test.zip', integrity?.(e)))
    return { entries, files }
  }
  catch (error) {
    if (error instanceof ArchiveFormatError || error instanceof IntegrityError) return { error }
    throw error
  }
}
async function refusal(bytes: Uint8Array): Promise<ArchiveFormatError | IntegrityError> {
  const result = await readAll(bytes)
  if (!result.error) throw new Error(`accepted: ${[...result.files!.keys()].join(', ')}`)
  return result.error
}

const dir = mkdtempSync(join(tmpdir(), 'lazy-zip-'))
const src = join(dir, 'src')
const sources: Record<string, Uint8Array> = {
  'hello.txt': enc('hello zip\n'),
  'empty.txt': new Uint8Array(),
  'sub/random.bin': randomBytes(50_000, 1),
  'sub/text.js': enc('export const line = "a fairly compressible line";\n'.repeat(2000)),
  'ünï/日本語.txt': enc('non-ASCII names\n'),
}
afterAll(() => rmSync(dir, { recursive: true, force: true }))
beforeAll(() => {
  for (const [name, data] of Object.entries(sources)) {
    mkdirSync(join(src, name, '..'), { recursive: true })
    writeFileSync(join(src, name), data)
  }
})

// Python's zipfile writes the archives and reports what it wrote, as an independent reader.
const PY = `
import json, sys, os, zipfile
src, out, method, comment = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].encode()
with zipfile.ZipFile(out, 'w', compression=method) as z:
    z.comment = comment
    for root, dirs, files in sorted(os.walk(src)):
        for d in sorted(dirs): z.write(os.path.join(root, d), os.path.relpath(os.path.join(root, d), src))
        for f in sorted(files): z.write(os.path.join(root, f), os.path.relpath(os.path.join(root, f), src))
    z.mkdir('made/empty')
print(json.dumps([[i.filename, i.header_offset, i.compress_type, i.compress_size, i.file_size, i.CRC] for i in zipfile.ZipFile(out).infolist()]))
`

describe('reading archives that real tools wrote', () => {
  it.each([['stored', 0], ['deflated', 8]])('Python zipfile, %s', async (_, method) => {
    const out = join(dir, `py-${method}.zip`)
    const listing: [string, number, number, number, number, number][] = JSON.parse(execFileSync('python3', ['-c', PY, src, out, String(method), 'a comment']).toString())
    const bytes = new Uint8Array(readFileSync(out))
    const { entries, files, error } = await readAll(bytes)
    expect(error).toBeUndefined()
    expect(entries!.map(e => [e.name, e.offset, e.method, e.compressedSize, e.size, e.crc32])).toEqual(listing)
    expect(entries!.some(e => e.method === method && e.size > 0)).toBe(true)
    expect(files!.get('made/empty/')).toEqual(new Uint8Array())
    for (const [name, data] of Object.entries(sources)) expect(Buffer.from(files!.get(name)!).equals(data), name).toBe(true)
  })

  it.each([
    ['zip -r -X (deflate)', ['-r', '-X']],
    ['zip -r -X -0 (store)', ['-r', '-X', '-0']],
    ['zip to a pipe (data descriptors)', ['-r', '-X', '-']],
  ])('Info-ZIP %s', async (label, args) => {
    const out = join(dir, `info-${label.split(' ')[1]}.zip`)
    const piped = execFileSync('/usr/bin/zip', args.at(-1) === '-' ? [...args, '.'] : [...args, out, '.'], { cwd: src, env: { ...process.env, LC_ALL: 'C.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'] })
    const bytes = new Uint8Array(args.at(-1) === '-' ? piped : readFileSync(out))
    const { entries, files, error } = await readAll(bytes)
    expect(error).toBeUndefined()
    expect(entries!.map(e => e.name).sort()).toEqual([...Object.keys(sources), 'sub/', 'ünï/'].sort())
    for (const [name, data] of Object.entries(sources)) expect(Buffer.from(files!.get(name)!).equals(data), name).toBe(true)
  })

  it('finds the end record behind the longest comment, and not one inside it', async () => {
    const fake = rawZip([{ name: 'fake', data: enc('no') }])
    const comment = new Uint8Array(65535)
    comment.set(fake.bytes.subarray(fake.eocd), 100) // an end record, comment length 0, that ends nowhere
    const { bytes } = rawZip([{ name: 'real', data: enc('yes') }], comment)
    expect([...(await readAll(bytes)).files!.keys()]).toEqual(['real'])
    const tooLong = new Uint8Array([...bytes, 0])
    tooLong.set([0xFF, 0xFF], bytes.length - comment.length - 2)
    expect(await refusal(tooLong)).toBeInstanceOf(ArchiveFormatError)
  })

  it('computes CRC-32 like zlib', () => {
    for (const data of [new Uint8Array(), enc('123456789'), randomBytes(70_000, 2)]) expect(crc32(data)).toBe(zlibCrc32(data))
    expect(crc32(enc('123456789'))).toBe(0xCBF43926)
  })
})

describe('refusing bad archives', () => {
  const fixture = () => rawZip([
    { name: 'a.txt', data: enc('alpha alpha alpha alpha'), method: 8 },
    { name: 'dir/', data: new Uint8Array() },
    { name: 'dir/b.bin', data: randomBytes(40, 3) },
  ], enc('comment'))
  const original = new Map(Object.entries({ 'a.txt': enc('alpha alpha alpha alpha'), 'dir/': new Uint8Array(), 'dir/b.bin': randomBytes(40, 3) }))

  it('reads the untouched fixture', async () => {
    expect((await readAll(fixture().bytes)).files).toEqual(original)
  })

  it('refuses every truncation', async () => {
    const { bytes } = fixture()
    for (let n = 0; n < bytes.length; n++) expect(await refusal(bytes.subarray(0, n))).toBeInstanceOf(ArchiveFormatError)
  })

  it('ends every random bit flip in a typed error or the right content', async () => {
    const random = prng(42)
    const counts = { ok: 0, refused: 0 }
    for (let trial = 0; trial < 3000; trial++) {
      const { bytes } = fixture()
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) {
        const bit = Math.floor(random() * bytes.length * 8)
        bytes[bit >> 3] ^= 1 << (bit & 7)
      }
      const result = await readAll(bytes)
      if (result.error) counts.refused++
      else {
        counts.ok++
        expect(result.files).toEqual(original)
      }
    }
    expect(counts.ok).toBeGreaterThan(100)
    expect(counts.refused).toBeGreaterThan(1000)
  })

  it('refuses overlapping entries (Fifield-style)', async () => {
    // Quoted overlap: entry a's stored data is entry b's local header and data, so each entry's
    // headers agree and only the ranges show the trick.
    const b = { name: 'b', data: enc('payload') }
    const inner = rawZip([b])
    const quoted = rawZip([{ name: 'a', data: inner.bytes.subarray(0, inner.central[0]) }, { ...b, at: 30 + 1 }])
    expect(await refusal(quoted.bytes)).toMatchObject({ name: 'ArchiveFormatError', entry: 'b', reason: expect.stringMatching(/overlap/) })
    // Full overlap: two central entries share one local header.
    const full = rawZip([{ name: 'x', data: enc('same') }, { name: 'y', data: enc('same') }])
    full.view.setUint32(full.central[1] + 42, 0, true)
    expect(await refusal(full.bytes)).toBeInstanceOf(ArchiveFormatError)
  })

  it('refuses deflate bombs before they grow past the declared size', async () => {
    const big = new Uint8Array(20_000_000)
    const bomb = rawZip([{ name: 'bomb', data: big, method: 8, size: 1000 }])
    const started = performance.now()
    expect(await refusal(bomb.bytes)).toMatchObject({ entry: 'bomb', reason: 'size mismatch' })
    expect(performance.now() - started).toBeLessThan(1000)
    // A declared size beyond deflate's 1032:1 limit is refused by the parse, with nothing allocated.
    const liar = rawZip([{ name: 'liar', data: enc('x'), method: 8, size: 2 ** 31 }])
    expect(() => parseZip(liar.bytes, 'liar.zip')).toThrow(/size mismatch/)
    // Shorter than declared.
    const short = rawZip([{ name: 'short', data: enc('abc'.repeat(100)), method: 8, size: 400 }])
    expect(await refusal(short.bytes)).toMatchObject({ reason: 'size mismatch' })
    // Garbage instead of deflate data.
    const junk = rawZip([{ name: 'junk', data: enc('plain'), method: 8, stored: Uint8Array.of(0xFF, 0xFF, 0xFF) }])
    expect(await refusal(junk.bytes)).toMatchObject({ reason: 'size mismatch' })
  })

  it.each(['../x', 'a/../x', '..', '/abs', 'a\\b', 'a\0b', 'C:x', 'c:/x', ''])('refuses the name %j', async (name) => {
    expect(await refusal(rawZip([{ name, data: enc('x') }]).bytes)).toMatchObject({ entry: name, reason: expect.stringMatching(/name/) })
  })

  it('refuses names that are not UTF-8, and duplicates', async () => {
    expect(await refusal(rawZip([{ name: Uint8Array.of(0x61, 0xFF), data: enc('x') }]).bytes)).toMatchObject({ reason: expect.stringMatching(/name/) })
    expect(await refusal(rawZip([{ name: 'a', data: enc('x') }, { name: 'a', data: enc('y') }]).bytes)).toMatchObject({ entry: 'a', reason: 'duplicate name' })
  })

  const patched = (patch: (z: ReturnType<typeof rawZip>) => void) => {
    const z = rawZip([{ name: 'a.txt', data: enc('some text'), method: 8 }, { name: 'b/', data: new Uint8Array() }])
    patch(z)
    return z.bytes
  }
  it.each<[string, RegExp, (z: ReturnType<typeof rawZip>) => void]>([
    ['encrypted flag', /encrypted/, z => [z.local[0], z.central[0]].forEach((at, i) => z.view.setUint16(at + 6 + 2 * i, 1, true))],
    ['disk number', /multi-disk/, z => z.view.setUint16(z.eocd + 4, 1, true)],
    ['central directory disk', /multi-disk/, z => z.view.setUint16(z.eocd + 6, 1, true)],
    ['entries on this disk', /multi-disk/, z => z.view.setUint16(z.eocd + 8, 1, true)],
    ['entry disk start', /multi-disk/, z => z.view.setUint16(z.central[0] + 34, 1, true)],
    // All ones means "in the ZIP64 record", which the archive loader does not read (test/runtime/zip64.test.ts).
    ['ZIP64 entry count', /multi-disk/, z => z.view.setUint16(z.eocd + 10, 0xFFFF, true)],
    ['ZIP64 directory offset', /truncated/, z => z.view.setUint32(z.eocd + 16, 0xFFFFFFFF, true)],
    ['ZIP64 entry size', /local header/, z => z.view.setUint32(z.central[0] + 24, 0xFFFFFFFF, true)],
    ['ZIP64 entry offset', /out of bounds/, z => z.view.setUint32(z.central[0] + 42, 0xFFFFFFFF, true)],
    ['local method', /local header/, z => z.view.setUint16(z.local[0] + 8, 0, true)],
    ['local name', /local header/, z => z.view.setUint8(z.local[0] + 30, 0x62)],
    ['local CRC', /local header/, z => z.view.setUint32(z.local[0] + 14, 1, true)],
    ['local size', /local header/, z => z.view.setUint32(z.local[0] + 22, 1, true)],
    ['no local header', /local header/, z => z.view.setUint32(z.local[0], 0, true)],
    ['unsupported method', /method 12/, z => [z.local[0] + 8, z.central[0] + 10].forEach(at => z.view.setUint16(at, 12, true))],
    ['CRC', /CRC-32/, z => [z.local[0] + 14, z.central[0] + 16].forEach(at => z.view.setUint32(at, 12345, true))],
    ['directory with data', /directory/, z => z.view.setUint32(z.central[1] + 24, 1, true)],
    ['entry inside the central directory', /out of bounds/, z => z.view.setUint32(z.central[1] + 42, z.central[0], true)],
    ['central directory size', /truncated/, z => z.view.setUint32(z.eocd + 12, 1, true)],
    ['entry count', /truncated/, (z) => {
      z.view.setUint16(z.eocd + 8, 1, true)
      z.view.setUint16(z.eocd + 10, 1, true)
    }],
  ])('refuses a bad %s', async (_, reason, patch) => {
    expect(await refusal(patched(patch))).toMatchObject({ name: 'ArchiveFormatError', archive: 'test.zip', reason: expect.stringMatching(reason) })
  })

  it('refuses trailing bytes, and without ZIP64 (as the archive loader reads) an archive that Python wrote with it', async () => {
    const { bytes } = rawZip([{ name: 'a', data: enc('x') }])
    expect(await refusal(new Uint8Array([...bytes, 0]))).toBeInstanceOf(ArchiveFormatError)
    const out = join(dir, 'zip64.zip')
    execFileSync('python3', ['-c', `import zipfile, sys
zipfile.ZIP64_LIMIT = zipfile.ZIP_FILECOUNT_LIMIT = 1
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr('a', b'x' * 10); z.writestr('b', b'y')`, out])
    expect(await refusal(new Uint8Array(readFileSync(out)))).toMatchObject({ reason: 'truncated' })
  })

  it('checks sha-384 integrity', async () => {
    const { bytes } = rawZip([{ name: 'a', data: enc('checked'), method: 8 }])
    const right = `sha384-${createHash('sha384').update('checked').digest('base64')}`
    expect((await readAll(bytes, () => right)).files?.get('a')).toEqual(enc('checked'))
    const wrong = `sha384-${createHash('sha384').update('other').digest('base64')}`
    expect(await readAll(bytes, () => wrong)).toMatchObject({ error: { name: 'IntegrityError', entry: 'a', expected: wrong, actual: right } })
  })

  it('reads stored entries with readStoredEntry, which refuses deflated ones, and checks digests alone', async () => {
    const { bytes } = rawZip([{ name: 's', data: enc('stored') }, { name: 'd', data: enc('deflated deflated deflated'), method: 8 }])
    const [stored, deflated] = parseZip(bytes, 'test.zip').values()
    const right = `sha384-${createHash('sha384').update('stored').digest('base64')}`
    expect(await readStoredEntry(bytes, stored, 'test.zip', right)).toEqual(enc('stored'))
    await expect(readStoredEntry(bytes, deflated, 'test.zip')).rejects.toMatchObject({ name: 'ArchiveFormatError', entry: 'd', reason: expect.stringMatching(/method 8/) })
    await expect(verifyIntegrity(enc('stored'), right, 'x.js')).resolves.toBeUndefined()
    await expect(verifyIntegrity(enc('other'), right, 'x.js')).rejects.toMatchObject({ name: 'IntegrityError', source: 'x.js', entry: undefined, expected: right })
  })
})

describe('ZipImporter over HTTP', () => {
  const good = rawZip([
    { name: 'mod.js', data: enc('export const answer = 6 * 7\nexport default function hi() { return "hi" }\n'), method: 8 },
    { name: 'side.js', data: enc('globalThis.__zipSide = (globalThis.__zipSide ?? 0) + 1\nexport const n = globalThis.__zipSide\n') },
    { name: 'lib/', data: new Uint8Array() },
    { name: 'lib/data.txt', data: enc('text') },
  ]).bytes
  const tainted = rawZip([{ name: 'run.js', data: enc('globalThis.__zipRan = true\n') }, { name: '../evil', data: enc('x') }]).bytes
  const hits = new Map<string, number>()
  let base = ''
  const server = createServer((req, res) => {
    const hit = (hits.get(req.url!) ?? 0) + 1
    hits.set(req.url!, hit)
    const send = (status: number, body: Uint8Array = new Uint8Array()) => setTimeout(() => res.writeHead(status).end(body), 30)
    if (req.url === '/a.zip') send(200, good)
    else if (req.url === '/flaky.zip') send(hit === 1 ? 503 : 200, good)
    else if (req.url === '/tainted.zip') send(200, tainted)
    else send(404)
  })
  beforeAll(async () => {
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise(resolve => server.close(resolve)))

  it('fetches once for concurrent callers, lists, reads and imports', async () => {
    const zip = new ZipImporter(`${base}/a.zip`)
    const [list, has, dirHas, text, mod] = await Promise.all([zip.list(), zip.has('mod.js'), zip.has('lib/'), zip.read('lib/data.txt'), zip.importModule('mod.js')])
    expect(list).toEqual(['mod.js', 'side.js', 'lib/data.txt'])
    expect([has, dirHas]).toEqual([true, false])
    expect(new TextDecoder().decode(text)).toBe('text')
    expect(mod.answer).toBe(42)
    expect(mod.default()).toBe('hi')
    expect(await zip.importModule('mod.js')).toBe(mod)
    // Node caches data: URLs by content, so count the reads to see the importer's own cache.
    const reads = vi.spyOn(zip, 'read')
    const [a, b] = await Promise.all([zip.importModule('side.js'), zip.importModule('side.js')])
    expect(await zip.importModule('side.js')).toBe(a)
    expect(reads).toHaveBeenCalledTimes(1)
    reads.mockRestore()
    expect(a).toBe(b)
    expect(a.n).toBe(1)
    // Two entries with the same code are two modules, as two files would be.
    const twins = new ZipImporter(rawZip([{ name: 'x.js', data: enc('export const o = {}') }, { name: 'y.js', data: enc('export const o = {}') }]).bytes)
    const [x, y] = await Promise.all([twins.importModule('x.js'), twins.importModule('y.js')])
    expect(x.o).not.toBe(y.o)
    await expect(zip.read('nope.js')).rejects.toMatchObject({ name: 'ArchiveFormatError', entry: 'nope.js' })
    expect(hits.get('/a.zip')).toBe(1)
  })

  it('does not keep a failed fetch', async () => {
    const zip = new ZipImporter(new URL(`${base}/flaky.zip`), { name: 'flaky' })
    await expect(zip.list()).rejects.toThrow(`${base}/flaky.zip failed: HTTP 503`)
    expect(await zip.list()).toContain('mod.js')
    expect(hits.get('/flaky.zip')).toBe(2)
  })

  it('names the URL and status of a 404, and uses a given fetch', async () => {
    const urls: string[] = []
    const zip = new ZipImporter(`${base}/missing.zip`, { fetch: (url, init) => (urls.push(String(url)), fetch(url, init)) })
    await expect(zip.importModule('mod.js')).rejects.toThrow(`Fetching zip archive ${base}/missing.zip failed: HTTP 404`)
    expect(urls).toEqual([`${base}/missing.zip`])
  })

  it('imports nothing from a bad archive or a bad entry', async () => {
    await expect(new ZipImporter(`${base}/tainted.zip`).importModule('run.js')).rejects.toMatchObject({ name: 'ArchiveFormatError', entry: '../evil' })
    await expect(new ZipImporter(tainted).list()).rejects.toBeInstanceOf(ArchiveFormatError)
    const ok = rawZip([{ name: 'run.js', data: enc('globalThis.__zipRan = true\n') }])
    await expect(new ZipImporter(ok.bytes).importModule('run.js', 'sha384-AAAA')).rejects.toBeInstanceOf(IntegrityError)
    ok.view.setUint8(ok.local[0] + 30 + 6 + 5, 0x41) // one byte of code changed: the CRC catches it
    await expect(new ZipImporter(ok.bytes).importModule('run.js')).rejects.toMatchObject({ reason: 'CRC-32 mismatch' })
    expect((globalThis as any).__zipRan).toBeUndefined()
  })
})
