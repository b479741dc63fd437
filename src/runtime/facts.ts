// The facts, taken into the runtime's table once they are there: from the facts module, or from the
// registry module where the first load has them. Only the recovery chunk needs this.
import type { Facts } from '../contract'
import type { ModuleInfo, ModuleSummary } from '../types'
import type { Entry, Registry } from './registry'

/**
 * Takes in all the facts, from the registry module or, later, from the facts module: each module's
 * full `ModuleInfo`, and every lazy chunk's.
 */
export function adoptFacts(registry: Registry, facts: Facts, base: string): void {
  const { entries } = registry
  const chunks = { ...facts.chunks }
  for (const info of facts.modules!) {
    const { name, file, integrity } = info
    if (file && chunks[file] && integrity)
      chunks[file] = { ...chunks[file], integrity }
    // In place: a load under way holds its entry, and finds the facts on it.
    const fields = { info: Object.freeze(summary(info)), facts: Object.freeze(info) }
    const old = entries.get(name)
    old ? Object.assign(old, fields) : entries.set(name, fields)
  }
  Object.assign(registry, { facts, base, chunks, full: true, adopted: true })
}

function summary({ name, isPackage, kind, meta }: ModuleInfo): ModuleSummary {
  return meta === undefined ? { name, isPackage, kind } : { name, isPackage, kind, meta }
}

/** A module's full facts; a marked module the facts do not list (its handle came first) has only its name. */
export function factsOf(entry: Entry): ModuleInfo {
  return entry.facts ?? { ...entry.info, source: entry.info.name, file: null, imports: [], css: [], size: null, integrity: null, archive: null }
}

