// The README's runnable code: a fenced block right after `<!-- example: <file> -->` is the file an
// example writes, and one after `<!-- output: <file> -->` is what that file prints when it runs.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

export const readmeFile = resolve(import.meta.dirname, '../../README.md')

export interface Blocks {
  /** Example files by their path in the example project. */
  examples: Map<string, string>
  /** What an example file prints, by its path. */
  outputs: Map<string, string>
}

export function readmeBlocks(text = readFileSync(readmeFile, 'utf8')): Blocks {
  const blocks: Blocks = { examples: new Map(), outputs: new Map() }
  for (const [, kind, file, code] of text.matchAll(/^<!-- (example|output): (\S+) -->\n```[\w-]*\n([\s\S]*?)^```$/gm)) {
    const map = kind === 'example' ? blocks.examples : blocks.outputs
    if (map.has(file))
      throw new Error(`README.md has two ${kind} blocks for ${file}`)
    map.set(file, code)
  }
  return blocks
}

/** An example block, which must exist: a renamed marker fails loudly, not as a skipped check. */
export function example(blocks: Blocks, file: string): string {
  const code = blocks.examples.get(file)
  if (code === undefined)
    throw new Error(`README.md has no <!-- example: ${file} --> block; it has ${[...blocks.examples.keys()].join(', ')}`)
  return code
}
