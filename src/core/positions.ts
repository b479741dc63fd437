// Build errors point at the user's own source: through the source map of the code the transform
// received (compiled JSX, TSX, Vue), with a code frame of the original lines.
import { originalPositionFor, sourceContentFor, TraceMap } from '@jridgewell/trace-mapping'

export interface SourceMapLike {
  version: number
  mappings: string
  sources: (string | null)[]
  sourcesContent?: (string | null)[] | null
  names?: string[]
}

export interface SourcePosition {
  /** 1-based, as Rollup and Vite expect in `loc`. */
  line: number
  /** 0-based. */
  column: number
  /** The code the position is in, for the frame: the original source where the map has it. */
  code: string
}

/** 1-based line, 0-based column of an offset. */
export function locate(code: string, pos: number): { line: number, column: number } {
  const before = code.slice(0, pos)
  return { line: before.split('\n').length, column: pos - before.lastIndexOf('\n') - 1 }
}

/** Where an offset into `code` came from, by `map`; the offset itself where the map says nothing. */
export function originalPosition(code: string, pos: number, map?: SourceMapLike | null): SourcePosition {
  const here = locate(code, pos)
  if (!map?.mappings)
    return { ...here, code }
  const tracer = new TraceMap(map as ConstructorParameters<typeof TraceMap>[0])
  const traced = originalPositionFor(tracer, here)
  const original = traced.source === null ? null : sourceContentFor(tracer, traced.source)
  if (traced.line === null || original === null)
    return { ...here, code }
  return { line: traced.line, column: traced.column, code: original }
}

/** Two lines of context either side and a caret, as Rollup and Vite print theirs. */
export function codeFrame(code: string, line: number, column: number): string {
  const lines = code.split('\n')
  const first = Math.max(1, line - 2)
  const last = Math.min(lines.length, line + 2)
  const width = String(last).length
  const out: string[] = []
  for (let number = first; number <= last; number++) {
    out.push(`${String(number).padStart(width)}: ${lines[number - 1]}`)
    if (number === line)
      out.push(`${' '.repeat(width + 2 + column)}^`)
  }
  return out.join('\n')
}
