// Stage 3: `lazy-manifest.json`: every lazy module's facts, its archive, and the build's id.
import type { ArchiveInfo, Manifest, ModuleInfo } from '../types'
import { createHash } from 'node:crypto'

/**
 * Points archived modules at their entries. `imports` keeps only loose chunks: the ones a
 * browser can preload beside the archive.
 */
export function withArchives(modules: ModuleInfo[], archives: Record<string, ArchiveInfo>): ModuleInfo[] {
  const archiveOf = new Map<string, string>()
  for (const [name, archive] of Object.entries(archives)) {
    for (const entry of Object.keys(archive.entries))
      archiveOf.set(entry, name)
  }
  return modules.map((module) => {
    const name = module.file && archiveOf.get(module.file)
    return {
      ...module,
      imports: module.imports.filter(file => !archiveOf.has(file)),
      archive: name ? { name, file: archives[name].file, entry: module.file! } : null,
    }
  })
}

export function createManifest(modules: ModuleInfo[], archives: Record<string, ArchiveInfo> = {}): Manifest {
  return sortKeys({
    version: 1,
    buildId: buildIdOf(modules),
    modules: Object.fromEntries(modules.map(module => [module.name, module])),
    archives,
  })
}

/** Equal builds have equal ids: what each module is and where it lives decides it. */
function buildIdOf(modules: ModuleInfo[]): string {
  const digest = createHash('sha256')
  for (const module of modules)
    digest.update(`${module.name}\0${module.file}\0${module.integrity}\0${module.archive?.file}\n`)
  return digest.digest('hex').slice(0, 16)
}

/** Stable JSON: the same build gives the same bytes, and diffs between builds stay readable. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value))
    return value.map(sortKeys) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort((a, b) => a < b ? -1 : a > b ? 1 : 0))
      out[key] = sortKeys((value as Record<string, unknown>)[key])
    return out as T
  }
  return value
}
