// Public error classes. Each carries the facts a caller needs to decide what to do,
// so apps branch on `instanceof` or `name`, never on message text. These two can come from the
// first load's own code; the others (src/runtime/check-errors.ts) only from the recovery chunk's.

/** A name that is not in this build's registry. No fetch was made. */
export class ModuleNotFoundError extends Error {
  override name = 'ModuleNotFoundError'
  constructor(readonly moduleName: string, readonly suggestions: string[] = [], detail = '') {
    super(
      `No lazy module named ${JSON.stringify(clip(moduleName))}${detail}.`
      + (suggestions.length ? ` Did you mean ${suggestions.map(s => JSON.stringify(s)).join(', ')}?` : '')
      + ' Register it under `modules` in the plugin options, or mark its import with { lazy: \'true\' }.',
    )
  }
}

/** A module was found but could not be fetched or evaluated. */
export class ModuleLoadError extends Error {
  override name = 'ModuleLoadError'
  constructor(readonly moduleName: string, readonly url: string | undefined, readonly attempts: number, options?: { cause?: unknown }) {
    super(`Lazy module ${JSON.stringify(moduleName)} failed to load${url ? ` from ${url}` : ''} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${describe(options?.cause)}`, options)
  }
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}

// Re-exported for the build side and tools, which import every class from here; a bundler takes
// from check-errors.ts only the classes that are used.
export { ArchiveFormatError, IntegrityError, StaleBuildError } from './check-errors'
