// The public errors only the recovery chunk throws, in a file of their own so that the first load
// carries them only when the app imports them itself. A name refused is one of them: the first
// load only knows it has no such name, and the recovery chunk explains, with the names close to it.

/** A name that is not in this build's registry. No module was fetched for it. */
export class ModuleNotFoundError extends Error {
  override name = 'ModuleNotFoundError'
  constructor(readonly moduleName: string, readonly suggestions: string[] = [], detail = '') {
    super(
      `No lazy module named ${JSON.stringify(moduleName.length > 200 ? `${moduleName.slice(0, 200)}…` : moduleName)}${detail}.`
      + (suggestions.length ? ` Did you mean ${suggestions.map(s => JSON.stringify(s)).join(', ')}?` : '')
      + ' Register it under `modules` in the plugin options, or mark its import with { lazy: \'true\' }.',
    )
  }
}

/** Bytes did not match the digest recorded at build time. Nothing from them was run. */
export class IntegrityError extends Error {
  override name = 'IntegrityError'
  constructor(readonly source: string, readonly entry: string | undefined, readonly expected: string, readonly actual: string) {
    super(`Integrity check failed for ${entry ? `${JSON.stringify(entry)} in ` : ''}${source}: expected ${expected}, got ${actual}. The file was changed after the build; nothing from it was run.`)
  }
}

/** A zip archive that is malformed, or uses a feature this reader refuses. Nothing from it was run. */
export class ArchiveFormatError extends Error {
  override name = 'ArchiveFormatError'
  constructor(readonly archive: string, readonly entry: string | undefined, readonly reason: string) {
    super(`Bad zip archive ${archive}${entry === undefined ? '' : ` (entry ${JSON.stringify(entry)})`}: ${reason}`)
  }
}

/**
 * A chunk or archive is gone (404/410) and the server now holds a different build: the app was
 * redeployed under this page. Reloading the page is the usual cure; see the README's recipe.
 */
export class StaleBuildError extends Error {
  override name = 'StaleBuildError'
  constructor(readonly moduleName: string, readonly url: string, readonly buildId: string, readonly currentBuildId: string) {
    super(`Lazy module ${JSON.stringify(moduleName)} is gone from ${url}: this page runs build ${buildId}, the server now has build ${currentBuildId}. Reload the page to get the new build.`)
  }
}
