import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeZip } from '../../src/core/zip-writer'
import { parseZip, readEntry } from '../../src/runtime/zip'

const enc = (text: string) => new TextEncoder().encode(text)
// Incompressible but the same every run: a chain of SHA-512 digests.
const noise = new Uint8Array(Buffer.concat(Array.from({ length: 500 }, (_, i) => createHash('sha512').update(String(i)).digest())))

const files = [
  { name: 'b.txt', data: enc('bee\n') },
  { name: 'a.js', data: enc('export function chart(data) { return data.map(d => d * 2) }\n'.repeat(300)) },
  { name: 'dir/random.bin', data: noise },
  { name: 'dir/', data: new Uint8Array() },
  { name: 'empty', data: new Uint8Array() },
  { name: 'ünï/名前.txt', data: enc('non-ASCII name\n') },
]
const dir = mkdtempSync(join(tmpdir(), 'lazy-zip-writer-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Python's zipfile as an independent reader: what it sees in the archive, and testzip().
const PY = `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({'bad': z.testzip(), 'entries': [{
  'name': i.filename, 'offset': i.header_offset, 'method': i.compress_type, 'compressedSize': i.compress_size,
  'size': i.file_size, 'crc32': i.CRC, 'flags': i.flag_bits, 'time': list(i.date_time), 'extra': i.extra.hex(),
  'mode': oct(i.external_attr >> 16), 'data': z.read(i).hex()} for i in z.infolist()]}))
`

describe.each(['store', 'deflate'] as const)('writeZip, %s', (compression) => {
  const { bytes, entries } = writeZip(files, { compression })
  const path = join(dir, `${compression}.zip`)
  writeFileSync(path, bytes)
  const byName = new Map(files.map(f => [f.name, f.data]))

  it('passes unzip -t and extracts the same bytes with unzip', () => {
    execFileSync('unzip', ['-t', '-qq', path])
    const out = join(dir, `${compression}-out`)
    execFileSync('unzip', ['-qq', '-o', path, '-d', out])
    for (const { name, data } of files) {
      if (name.endsWith('/')) expect(statSync(join(out, name)).isDirectory()).toBe(true)
      else expect(readFileSync(join(out, name)).equals(data), name).toBe(true)
    }
  })

  it('passes Python zipfile testzip() and reads back the same with it', () => {
    const seen = JSON.parse(execFileSync('python3', ['-c', PY, path]).toString())
    expect(seen.bad).toBeNull()
    expect(seen.entries.map((e: any) => e.name)).toEqual(files.map(f => f.name).sort())
    for (const e of seen.entries) {
      expect(Buffer.from(e.data, 'hex').equals(byName.get(e.name)!), e.name).toBe(true)
      expect(e.time).toEqual([1980, 1, 1, 0, 0, 0])
      expect(e.extra).toBe('')
      expect(e.flags).toBe(/[^\x00-\x7F]/.test(e.name) ? 0x800 : 0)
      expect(e.mode).toBe(e.name.endsWith('/') ? '0o40755' : '0o100644')
      const { data, flags, time, extra, mode, ...facts } = e
      expect(entries.find(w => w.name === e.name)).toMatchObject(facts)
    }
  })

  it('reports what parseZip reads, and round-trips through readEntry', async () => {
    const parsed = [...parseZip(bytes, 'w.zip').values()]
    expect(parsed).toEqual(entries)
    for (const entry of parsed) expect(Buffer.from(await readEntry(bytes, entry, 'w.zip')).equals(byName.get(entry.name)!)).toBe(true)
    const methods = Object.fromEntries(entries.map(e => [e.name, e.method]))
    if (compression === 'store') expect(new Set(Object.values(methods))).toEqual(new Set([0]))
    // Deflated where that is smaller; the random bytes and the empty file stay stored.
    else expect(methods).toMatchObject({ 'a.js': 8, 'dir/random.bin': 0, 'empty': 0, 'dir/': 0 })
  })

  it('is deterministic: the same files in any order give the same bytes', () => {
    const again = writeZip([...files].reverse(), { compression }).bytes
    expect(Buffer.from(again).equals(bytes)).toBe(true)
  })
})

describe('writeZip refuses', () => {
  it.each(['../x', '/abs', 'a\\b', 'C:x', 'a\0b', ''])('the unsafe name %j', (name) => {
    expect(() => writeZip([{ name, data: enc('x') }], { compression: 'store' })).toThrow(/Cannot write zip entry/)
  })
  it('duplicates and directories with data', () => {
    expect(() => writeZip([{ name: 'a', data: enc('1') }, { name: 'a', data: enc('2') }], { compression: 'store' })).toThrow(/twice/)
    expect(() => writeZip([{ name: 'd/', data: enc('1') }], { compression: 'store' })).toThrow(/directory/)
  })
})
