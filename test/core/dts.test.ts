import type { LazyModule } from '../../src/core/names'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEV_SERVER, dtsCode, dtsEntries, markedIn, writeIfChanged } from '../../src/core/dts'
import { tempDir } from '../helpers/build'

const module = (name: string, source: string, extra: Partial<LazyModule> = {}): LazyModule =>
  ({ name, kind: 'registered', source, id: source.startsWith('src/') ? `/app/${source}` : undefined, isPackage: false, ...extra })

const modules: LazyModule[] = [
  module('locales/fr', 'src/locales/fr.json'),
  module('charts/bar', 'src/charts/bar.ts'),
  module('editor', 'monaco-editor', { id: '/app/node_modules/monaco-editor/esm/editor.js' }),
  module('tools/replacer', 'src/tools/text-replacer/index.tsx', { isPackage: true, meta: { value: {}, file: '/app/src/tools/text-replacer/index.tsx', export: 'meta' } }),
  module('tools/json', 'src/tools/json/index.mts', { isPackage: true, meta: { value: {}, file: '/app/src/tools/json/meta.json' } }),
  module('src/export/pdf', 'src/export/pdf.ts', { kind: 'marked' }),
  module('charts/pie', 'src/charts/pie.ts', { kind: 'marked' }),
]

describe('the declaration file', () => {
  it('lists every name, sorted, with its module\'s type by a path relative to the file, and metadata by its export', () => {
    const content = dtsEntries(modules, '/app/lazy-modules.d.ts')
    content.registered.set('charts/pie', 'typeof import("./src/charts/pie.js")')
    expect(dtsCode(content)).toMatchInlineSnapshot(`
      "// Written by unplugin-lazy-modules (option \`dts\`): the names importModule, getLoader, iterModules,
      // hasModule and preload take, and their modules' types. Include it in your tsconfig (the app's, as
      // tsconfig.app.json in create-vite and create-vue projects). It is rewritten on every build, and by
      // the dev server when a file matching a \`modules\` glob comes or goes.
      export {}

      declare module 'unplugin-lazy-modules/runtime' {
        interface LazyModules {
          "charts/bar": typeof import("./src/charts/bar.js")
          "charts/pie": typeof import("./src/charts/pie.js")
          "editor": typeof import("monaco-editor")
          "locales/fr": typeof import("./src/locales/fr.json") & { default: typeof import("./src/locales/fr.json") }
          "tools/json": typeof import("./src/tools/json/index.mjs")
          "tools/replacer": typeof import("./src/tools/text-replacer/index.jsx")
        }
        // Marked lazy by an import, as the last build found them:
        interface LazyModules {
          "src/export/pdf": typeof import("./src/export/pdf.js")
        }
        interface LazyModuleMeta {
          "tools/json": typeof import("./src/tools/json/meta.json")
          "tools/replacer": typeof import("./src/tools/text-replacer/index.jsx").meta
        }
      }
      "
    `)
  })

  it('names modules relative to its own folder', () => {
    const code = dtsCode(dtsEntries([modules[1]], '/app/src/types/lazy.d.ts'))
    expect(code).toContain('"charts/bar": typeof import("../charts/bar.js")')
  })

  it('gives back the marked modules it lists, by build, so a build keeps them until it finds them again, and the other builds\' lists', () => {
    const content = dtsEntries([...modules, module('a "quoted"\\name', 'src/q.ts', { kind: 'marked' })], '/app/lazy-modules.d.ts', 'client')
    content.marked.set('ssr', new Map([['src/server-only', 'typeof import("./src/server-only.js")'], ['charts/pie', 'typeof import("./src/charts/pie.js")']]))
    content.marked.set(DEV_SERVER, new Map([['src/seen', 'typeof import("./src/seen.js")']]))
    const code = dtsCode(content)
    expect(code).toContain('  // Marked lazy by an import, as the last client build found them:\n  interface LazyModules {\n')
    expect(code).toContain('  // Marked lazy by an import, as the last ssr build found them:\n  interface LazyModules {\n')
    expect(code).toContain('  // Marked lazy by an import, as the dev server found them:\n  interface LazyModules {\n')
    expect(markedIn(code)).toEqual(content.marked)
    expect(markedIn(dtsCode(dtsEntries(modules.slice(0, 2), '/app/x.d.ts'))).size).toBe(0)
    expect(markedIn('')).toEqual(new Map())
  })

  it('reads the one list a file written before lists were by build has', () => {
    const old = `declare module 'unplugin-lazy-modules/runtime' {\n  interface LazyModules {\n    "charts/bar": typeof import("./src/charts/bar.js")\n    // Marked lazy by an import, as the last build found them:\n    "src/pdf": typeof import("./src/pdf.js")\n  }\n  interface LazyModuleMeta {\n  }\n}\n`
    expect(markedIn(old)).toEqual(new Map([['', new Map([['src/pdf', 'typeof import("./src/pdf.js")']])]]))
  })

  it('is written only when its text changes', async () => {
    const file = join(tempDir('lazy-dts-'), 'types/lazy-modules.d.ts')
    expect(writeIfChanged(file, 'a')).toBe(true)
    const written = statSync(file).mtimeMs
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(writeIfChanged(file, 'a')).toBe(false)
    expect(statSync(file).mtimeMs).toBe(written)
    writeFileSync(file, 'edited')
    expect(writeIfChanged(file, 'a')).toBe(true)
    expect(readFileSync(file, 'utf8')).toBe('a')
  })
})
