// Public error classes. Each carries the facts a caller needs to decide what to do,
// so apps branch on `instanceof` or `name`, never on message text. Only this one can come from the
// first load's own code, when the recovery chunk itself cannot be had; the others
// (src/runtime/check-errors.ts) come from the recovery chunk's.

/** A module was found but could not be fetched or evaluated. */
export class ModuleLoadError extends Error {
  override name = 'ModuleLoadError'
  constructor(readonly moduleName: string, readonly url: string | undefined, readonly attempts: number, options?: { cause?: unknown }) {
    super(`Lazy module ${JSON.stringify(moduleName)} failed to load${url ? ` from ${url}` : ''} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${(options?.cause as Error)?.message ?? options?.cause}`, options)
  }
}

// Re-exported for the build side and tools, which import every class from here; a bundler takes
// from check-errors.ts only the classes that are used.
export { ArchiveFormatError, IntegrityError, ModuleNotFoundError, StaleBuildError } from './check-errors'
