// Where a chunk's code names other chunks. The archives need the exact offsets (to splice in URLs
// when a chunk runs from memory); the CLI needs the targets (to rebuild the chunk graph from a folder).
import { init, parse } from 'es-module-lexer'
import { posix } from 'node:path'

/** es-module-lexer's WebAssembly must be ready before `scanImports` runs. */
export const lexerReady: () => Promise<void> = init

/** One place where a chunk names a chunk: `[start, end)` is the specifier's text without quotes. */
export interface ChunkReference {
  start: number
  end: number
  /** The chunk named, relative to the output folder; `''` is the chunk itself (`import.meta.url`). */
  target: string
  dynamic: boolean
}

export interface ScannedImports {
  references: ChunkReference[]
  /**
   * Why some references cannot be known, so the chunk cannot be relinked to run from memory: it does
   * not parse, uses `import.meta` other than `.url`, or imports a computed specifier.
   */
  unknown?: string
}

/** Every relative import specifier and `import.meta.url` in a chunk. */
export function scanImports(code: string, file: string): ScannedImports {
  let imports
  try {
    [imports] = parse(code, file)
  }
  catch (error: any) {
    return { references: [], unknown: `it does not parse as an ES module (${error.message})` }
  }
  const references: ChunkReference[] = []
  let unknown: string | undefined
  const dir = posix.dirname(file)
  for (const each of imports) {
    if (each.type === 'import-meta') {
      if (code.startsWith('.url', each.end))
        references.push({ start: each.start, end: each.end + 4, target: '', dynamic: false })
      else
        unknown ??= `it uses import.meta other than import.meta.url at offset ${each.start}`
      continue
    }
    let { specifier, start, end } = each
    const dynamic = each.type === 'dynamic'
    if (dynamic) {
      if (typeof specifier !== 'string' || !/['"`]/.test(code[start])) {
        unknown ??= `an import() of a computed specifier at offset ${start}`
        continue
      }
      start++ // a dynamic import's span includes the quotes
      end--
    }
    if (/^\.\.?\//.test(specifier!))
      references.push({ start, end, target: posix.normalize(posix.join(dir, specifier!)), dynamic })
  }
  return { references: references.sort((a, b) => a.start - b.start), unknown }
}
