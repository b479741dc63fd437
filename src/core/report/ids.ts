// Module ids as the report shows them: relative to the root, a package's files under
// `node_modules/<package>/` wherever the package is installed, and the package they belong to.
import { relative } from 'node:path'

export function shortId(id: string, root: string | undefined): string {
  if (!root || !id.startsWith('/'))
    return id
  // The common case without path.relative, which resolves both paths on every call (60 ms of a
  // 5,000-module report): a clean path inside the root is the rest of it.
  const rest = id.startsWith(`${root}/`) ? id.slice(root.length + 1) : ''
  return rest && !UNCLEAN.test(rest) && !UNCLEAN_ROOT.test(root) ? rest : relative(root, id)
}

/** A `.` or `..` segment, an empty one, or a slash at either end: what path.relative would normalize. */
const UNCLEAN = /(?:^|\/)\.{1,2}(?:\/|$)|\/\/|^\/|\/$/
/** The same for the root, an absolute path, which starts with its slash. */
const UNCLEAN_ROOT = /(?:^|\/)\.{1,2}(?:\/|$)|\/\/|\/$/

/** Copies of the same code share a key: the id without its query, a package file wherever it is installed. */
export function moduleKey(id: string, root: string | undefined): { key: string, group: string, package: string | null } {
  const path = id.replace(/[?#].*$/, '')
  const at = path.lastIndexOf('/node_modules/')
  if (at < 0) {
    const short = shortId(path, root)
    return { key: short, group: short, package: null }
  }
  const inPackage = path.slice(at + '/node_modules/'.length)
  const name = packageName(inPackage)
  return { key: `node_modules/${inPackage}`, group: name, package: name }
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const segments = specifier.split('/')
  return segments.slice(0, segments[0].startsWith('@') ? 2 : 1).join('/')
}

/** A module id the app does not write: the bundler's own (`\0…`), or a virtual module. */
export function isVirtual(id: string): boolean {
  return id.startsWith('\0') || id.startsWith('virtual:')
}
