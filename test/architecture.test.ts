// The seams issue 9 drew: no import cycle anywhere in src/ (type-only imports count: a cycle is a
// seam in the wrong place), and a browser runtime that imports nothing from the build side.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const src = resolve(import.meta.dirname, '../src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => entry.isDirectory()
    ? sourceFiles(join(dir, entry.name))
    : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [])
}

/** Every file of src/ → the files of src/ it imports, `import type` and `typeof import()` included. */
function importGraph(): Map<string, string[]> {
  const files = sourceFiles(src)
  const known = new Set(files)
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
    const specifiers = [...code.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map(match => match[1])
    const targets = specifiers.map(specifier => resolve(dirname(file), specifier)).flatMap((path) => {
      const found = [path, `${path}.ts`, join(path, 'index.ts')].find(candidate => known.has(candidate))
      return found ? [found] : []
    })
    graph.set(file, [...new Set(targets)])
  }
  return graph
}

describe('src/ layout', () => {
  const graph = importGraph()
  const name = (file: string) => relative(src, file)

  it('has no import cycle, type-only imports included', () => {
    const cycles: string[] = []
    const done = new Set<string>()
    const visit = (file: string, path: string[]) => {
      if (path.includes(file))
        return void cycles.push([...path.slice(path.indexOf(file)), file].map(name).join(' → '))
      if (done.has(file))
        return
      graph.get(file)!.forEach(next => visit(next, [...path, file]))
      done.add(file)
    }
    graph.forEach((_, file) => visit(file, []))
    expect(cycles).toEqual([])
  })

  it('keeps the browser runtime apart: it imports only itself, the contract and the public types, and no Node built-in', () => {
    const runtime = [...graph.keys()].filter(file => name(file).startsWith('runtime/'))
    const outside = runtime.flatMap(file => graph.get(file)!.filter(target => !name(target).startsWith('runtime/') && !['contract.ts', 'types.ts'].includes(name(target))).map(target => `${name(file)} → ${name(target)}`))
    expect(outside).toEqual([])
    const builtins = runtime.filter(file => /from\s+'node:|require\(/.test(readFileSync(file, 'utf8'))).map(name)
    expect(builtins).toEqual([])
  })

  it('shares only types and constants with the runtime through the contract', () => {
    const contract = readFileSync(join(src, 'contract.ts'), 'utf8')
    expect(contract).not.toMatch(/^export (?:async )?function|^export class/m)
    expect(contract).not.toMatch(/^import (?!type)/m)
  })
})
