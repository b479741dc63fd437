import { describe, expect, it } from 'vitest'
import { chunkName, namedChunkFileNames } from '../../src/core/chunk-names'

describe('chunkName', () => {
  it.each([
    [{ kind: 'marked', name: '@dbml/core', source: '@dbml/core' }, 'dbml-core'],
    [{ kind: 'marked', name: 'html-to-image', source: 'html-to-image' }, 'html-to-image'],
    [{ kind: 'marked', name: 'nanoid/non-secure', source: 'nanoid/non-secure' }, 'nanoid-non-secure'],
    [{ kind: 'marked', name: 'highlight.js', source: 'highlight.js' }, 'highlight.js'],
    [{ kind: 'marked', name: 'src/pdf-export', source: 'src/pdf-export.ts' }, 'pdf-export'],
    [{ kind: 'marked', name: 'src/plugins/graph', source: 'src/plugins/graph/index.js' }, 'graph'],
    [{ kind: 'registered', name: 'charts/bar', source: 'src/charts/bar.ts' }, 'bar'],
    [{ kind: 'registered', name: 'editor', source: 'monaco-editor' }, 'editor'],
    [{ kind: 'registered', name: 'locales/pt BR', source: 'src/locales/pt BR.json' }, 'pt-BR'],
  ] as const)('%o → %s', (module, name) => {
    expect(chunkName(module)).toBe(name)
  })

  it('gives no name that would be empty or a hidden file', () => {
    expect(chunkName({ kind: 'marked', name: '.', source: 'index.js' })).toBeUndefined()
  })
})

describe('namedChunkFileNames', () => {
  const names = new Map([['/app/node_modules/@dbml/core/lib/index.js', 'dbml-core']])
  const nameOf = (id: string) => names.get(id)

  it('fills `[name]` of the pattern for a lazy module\'s chunk, and leaves other chunks to the bundler', () => {
    const naming = namedChunkFileNames('assets/[name]-[hash].js', nameOf)
    expect(naming({ facadeModuleId: '/app/node_modules/@dbml/core/lib/index.js' })).toBe('assets/dbml-core-[hash].js')
    expect(naming({ facadeModuleId: '/app/node_modules/@dbml/core/lib/index.js?commonjs-entry' })).toBe('assets/dbml-core-[hash].js')
    expect(naming({ facadeModuleId: '/app/src/other.js' })).toBe('assets/[name]-[hash].js')
    expect(naming({ facadeModuleId: null })).toBe('assets/[name]-[hash].js')
  })

  it('names a dynamic entry without a facade after the one lazy module it holds (Rollup\'s CommonJS proxies)', () => {
    const naming = namedChunkFileNames('[name]-[hash].js', nameOf)
    const proxied = ['\0/app/node_modules/@dbml/core/lib/index.js?commonjs-module', '/app/node_modules/@dbml/core/lib/index.js', '\0/app/node_modules/@dbml/core/lib/index.js?commonjs-es-import']
    expect(naming({ facadeModuleId: null, isDynamicEntry: true, moduleIds: proxied })).toBe('dbml-core-[hash].js')
    expect(naming({ facadeModuleId: null, isDynamicEntry: false, moduleIds: proxied })).toBe('[name]-[hash].js')
    const two = new Map([...names, ['/app/src/other.js', 'other']])
    const merged = namedChunkFileNames('[name]-[hash].js', id => two.get(id))
    expect(merged({ facadeModuleId: null, isDynamicEntry: true, moduleIds: [...proxied, '/app/src/other.js'] })).toBe('[name]-[hash].js')
  })

  it('keeps the bundler\'s default, or the user\'s function', () => {
    expect(namedChunkFileNames(undefined, nameOf)({ facadeModuleId: '/app/node_modules/@dbml/core/lib/index.js' })).toBe('dbml-core-[hash].js')
    const mine = (chunk: { facadeModuleId: string | null }) => chunk.facadeModuleId?.includes('core') ? 'lib/[name].[hash].mjs' : 'other/[hash].mjs'
    const naming = namedChunkFileNames(mine, nameOf)
    expect(naming({ facadeModuleId: '/app/node_modules/@dbml/core/lib/index.js' })).toBe('lib/dbml-core.[hash].mjs')
    expect(naming({ facadeModuleId: '/app/src/x.js' })).toBe('other/[hash].mjs')
  })
})
