// The parser a bundler lends the plugin (`this.parse`): Rolldown's, as Vite 8 and Rolldown builds use,
// and Rollup's, as Vite 5–7 and Rollup builds use. Both give ESTree with UTF-16 offsets.
import type { Program } from 'estree'
import type { Parse } from '../../src/core/scope'
import { parseAst as rolldownParseAst } from 'rolldown/parseAst'
import { parseAst as rollupParseAst } from 'rollup/parseAst'

export const parse: Parse = code => rolldownParseAst(code) as unknown as Program
export const parseWithRollup: Parse = code => rollupParseAst(code) as unknown as Program
