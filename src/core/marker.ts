// What the hook filters test, apart from the transform so that importing the plugin stays cheap.

/**
 * The cheap pre-filter: a file that fails it is never parsed, and in Vite 8 never even reaches
 * JavaScript (Rolldown applies hook filters natively). An import attribute always follows a quoted
 * specifier, so prose that mentions `with { lazy: … }` (an error message, say) does not match.
 */
export function markerPattern(attribute: string): RegExp {
  return new RegExp(`['"\`]\\s*with\\s*\\{[^}]*?\\b${attribute}\\b`)
}

/**
 * A file that imports from the runtime: its look-ups by a name written out are checked
 * (src/core/look-ups.ts). Not a file that only names it in a string, as the plugin's own constants do.
 */
export const RUNTIME_IMPORT = /\bfrom\s*['"`]unplugin-lazy-modules\/runtime['"`]/

/** What reaches the transform: a marked import, or an import of the runtime. */
export function transformPattern(attribute: string): RegExp {
  return new RegExp(`${markerPattern(attribute).source}|${RUNTIME_IMPORT.source}`)
}
