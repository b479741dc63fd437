// ZIP64, as real tools write it: Info-ZIP's `zip` reading a pipe (ZIP64 sizes in each local header,
// and a ZIP64 end record when it can seek its output), and Python's zipfile (`force_zip64`, or every
// field in its ZIP64 form). The strict reader reads them where every value agrees with the file, and
// refuses multi-disk, encryption and anything inconsistent. The archive loader, which reads only what
// the build wrote, leaves ZIP64 out.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ArchiveFormatError } from '../../src/runtime/errors'
import { parseZip, readEntry, zip64, ZipImporter } from '../../src/runtime/zip'

const dir = mkdtempSync(join(tmpdir(), 'lazy-zip64-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Info-ZIP reading stdin: to a file it can seek (ZIP64 end records), or to a pipe (data descriptors). */
function infoZip(input: string, to: 'file' | 'pipe'): Uint8Array {
  const out = join(dir, 'stdin.zip')
  rmSync(out, { force: true })
  if (to === 'file') {
    execFileSync('sh', ['-c', `printf '%s' "$1" | zip -q "$2" -`, 'sh', input, out])
    return new Uint8Array(readFileSync(out))
  }
  return new Uint8Array(execFileSync('sh', ['-c', `printf '%s' "$1" | zip -q - -`, 'sh', input]))
}

/** Python's zipfile: `a.txt` with `force_zip64`, `b.txt` plain; `limits` lowers the ZIP64 limits so every field takes its ZIP64 form. */
function python(limits = false): Uint8Array {
  const out = join(dir, 'python.zip')
  execFileSync('python3', ['-c', `import sys, zipfile
if sys.argv[2] == 'limits':
    zipfile.ZIP64_LIMIT = zipfile.ZIP_FILECOUNT_LIMIT = 1
with zipfile.ZipFile(sys.argv[1], 'w', compression=zipfile.ZIP_DEFLATED) as z:
    with z.open('a.txt', 'w', force_zip64=True) as f:
        f.write(b'alpha ' * 100)
    z.writestr('b.txt', b'beta')`, out, limits ? 'limits' : ''])
  return new Uint8Array(readFileSync(out))
}

/** Every file's text, read with ZIP64. */
async function texts(bytes: Uint8Array): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of parseZip(bytes, 'test.zip', zip64).values())
    out[entry.name] = new TextDecoder().decode(await readEntry(bytes, entry, 'test.zip'))
  return out
}

function refusal(bytes: Uint8Array, { withZip64 = true } = {}): ArchiveFormatError {
  try {
    parseZip(bytes, 'test.zip', withZip64 ? zip64 : undefined)
  }
  catch (error) {
    if (error instanceof ArchiveFormatError)
      return error
    throw error
  }
  throw new Error('accepted')
}

/** Where each record with this signature starts. */
function records(bytes: Uint8Array, signature: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset)
  return Array.from({ length: bytes.length - 3 }, (_, i) => i).filter(i => view.getUint32(i, true) === signature)
}
const sig = (bytes: Uint8Array, signature: number) => records(bytes, signature).at(-1) ?? -1

/** `bytes` with the end record's entry counts, directory size and offset all ones: "see the ZIP64 record". */
function escaped(bytes: Uint8Array): Uint8Array {
  return patched(bytes, (view) => {
    const eocd = sig(bytes, 0x06054B50)
    view.setUint32(eocd + 8, 0xFFFFFFFF)
    view.setBigUint64(eocd + 12, 0xFFFFFFFFFFFFFFFFn)
  })
}

/** A copy of `bytes` with `patch` applied to its view, given where the end records and the central headers are. */
function patched(bytes: Uint8Array, patch: (view: DataView, at: { locator: number, record: number, central: number[] }) => void): Uint8Array {
  const copy = bytes.slice()
  patch(new DataView(copy.buffer), { locator: sig(copy, 0x07064B50), record: sig(copy, 0x06064B50), central: records(copy, 0x02014B50) })
  return copy
}

describe('ZIP64 archives that real tools wrote', () => {
  it('Info-ZIP reading stdin into a file: ZIP64 sizes in the local header, and ZIP64 end records', async () => {
    const bytes = infoZip('x', 'file')
    expect(sig(bytes, 0x07064B50)).toBeGreaterThan(0)
    expect(await texts(bytes)).toEqual({ '-': 'x' })
  })

  it('Info-ZIP reading stdin into a pipe: ZIP64 sizes behind a data descriptor, deflated', async () => {
    const text = Array.from({ length: 3000 }, (_, i) => i).join('\n')
    expect(await texts(infoZip('x', 'pipe'))).toEqual({ '-': 'x' })
    expect(await texts(infoZip(text, 'pipe'))).toEqual({ '-': text })
  })

  it('Python zipfile with force_zip64, beside an entry without it', async () => {
    expect(await texts(python())).toEqual({ 'a.txt': 'alpha '.repeat(100), 'b.txt': 'beta' })
  })

  it('Python zipfile with every value it can write in ZIP64 form: central headers and end records', async () => {
    expect(records(python(true), 0x06064B50)).toHaveLength(1)
    expect(await texts(python(true))).toEqual({ 'a.txt': 'alpha '.repeat(100), 'b.txt': 'beta' })
    // The end record may say "in the ZIP64 record" (all ones) for each of its values.
    expect(await texts(escaped(python(true)))).toEqual({ 'a.txt': 'alpha '.repeat(100), 'b.txt': 'beta' })
  })

  it('ZipImporter reads them', async () => {
    const importer = new ZipImporter(python(true))
    expect(await importer.list()).toEqual(['a.txt', 'b.txt'])
    expect(new TextDecoder().decode(await importer.read('b.txt'))).toBe('beta')
    expect(new TextDecoder().decode(await new ZipImporter(infoZip('x', 'file')).read('-'))).toBe('x')
  })

  it('the archive loader\'s parse, without ZIP64, refuses those it would need ZIP64 to read', () => {
    for (const bytes of [infoZip('x', 'file'), python(), python(true), escaped(python(true))])
      expect(refusal(bytes, { withZip64: false })).toBeInstanceOf(ArchiveFormatError)
    // Sizes behind a data descriptor are the central header's, which are not ZIP64 here.
    expect([...parseZip(infoZip('x', 'pipe'), 'test.zip').keys()]).toEqual(['-'])
  })
})

describe('refusing inconsistent ZIP64', () => {
  const seekable = () => infoZip('x', 'file')
  it.each<[string, () => Uint8Array, RegExp]>([
    ['a locator on another disk', () => patched(seekable(), (v, at) => v.setUint32(at.locator + 4, 1, true)), /multi-disk/],
    ['a locator counting two disks', () => patched(seekable(), (v, at) => v.setUint32(at.locator + 16, 2, true)), /multi-disk/],
    ['entries on this disk fewer than the entries', () => patched(seekable(), (v, at) => v.setUint32(at.record + 24, 0, true)), /ZIP64/],
    ['a locator pointing elsewhere', () => patched(seekable(), (v, at) => v.setUint32(at.locator + 8, at.record - 1, true)), /truncated/],
    ['an end record with extensible data', () => patched(seekable(), (v, at) => v.setUint32(at.record + 4, 45, true)), /truncated/],
    ['an entry count that disagrees with the end record', () => patched(seekable(), (v, at) => v.setUint32(at.record + 32, 2, true)), /ZIP64/],
    ['a directory offset that disagrees with the end record', () => patched(seekable(), (v, at) => v.setUint32(at.record + 48, 1, true)), /ZIP64/],
    ['a directory offset past 2^53', () => patched(escaped(python(true)), (v, at) => v.setUint32(at.record + 52, 0xFFFFFFFF, true)), /truncated/],
    ['a directory size beyond the file', () => patched(escaped(python(true)), (v, at) => v.setUint32(at.record + 40, 1000, true)), /truncated/],
    ['a local ZIP64 size that disagrees with the central header', () => patched(python(), (v) => v.setUint32(30 + 5 + 4, 601, true)), /local header mismatch/],
    ['a local ZIP64 field too short for both sizes', () => patched(python(), (v) => v.setUint16(30 + 5 + 2, 8, true)), /ZIP64/],
    ['a local ZIP64 size wanted but no ZIP64 field first', () => patched(python(), (v) => v.setUint16(30 + 5, 0x5455, true)), /ZIP64/],
    ['a central ZIP64 offset past 2^53', () => patched(python(true), (v, at) => v.setUint32(at.central[1] + 46 + 5 + 4 + 16 + 4, 0x00200000, true)), /out of bounds/],
    ['a central ZIP64 field longer than the extra fields', () => patched(python(true), (v, at) => v.setUint16(at.central[0] + 46 + 5 + 2, 40, true)), /ZIP64/],
    ['encryption', () => patched(python(), (v, at) => [6, at.central[0] + 8].forEach(o => v.setUint16(o, 1, true))), /encrypted/],
  ])('refuses %s', (_, make, reason) => {
    expect(refusal(make())).toMatchObject({ name: 'ArchiveFormatError', archive: 'test.zip', reason: expect.stringMatching(reason) })
  })
})
