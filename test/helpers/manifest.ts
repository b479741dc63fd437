import type { ModuleInfo } from '../../src/types'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { expect } from 'vitest'

/**
 * A module's entry in the manifest, for tests: `overrides` over a registered, unbuilt module (no
 * chunk, size, digest or archive) whose source is `src/<name>.js`.
 */
export function moduleInfo(overrides: Partial<ModuleInfo> = {}): ModuleInfo {
  const name = overrides.name ?? 'm'
  return { name, isPackage: false, kind: 'registered', source: `src/${name}.js`, file: null, imports: [], css: [], size: null, integrity: null, archive: null, ...overrides }
}

/** Every fact in the manifest must match the files really written to `dir`. */
export function expectManifestMatchesFiles(manifest: any, dir: string) {
  expect(manifest.version).toBe(1)
  expect(manifest.buildId).toMatch(/^[0-9a-f]{16}$/)
  expect(JSON.stringify(Object.keys(manifest))).toBe(JSON.stringify(Object.keys(manifest).sort()))
  expect(Object.keys(manifest.modules)).toEqual(Object.keys(manifest.modules).sort())
  for (const [name, info] of Object.entries<any>(manifest.modules)) {
    expect(info.name).toBe(name)
    expect(Object.keys(info)).toEqual(Object.keys(info).sort())
    if (info.file === null)
      continue
    const bytes = readFileSync(join(dir, info.file))
    expect(info.integrity, name).toBe(`sha384-${createHash('sha384').update(bytes).digest('base64')}`)
    expect(info.size, name).toEqual({ raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length })
    for (const file of [...info.imports, ...info.css])
      expect(existsSync(join(dir, file)), `${name} needs ${file}`).toBe(true)
  }
}
