// The bundle stage on a bundle written by hand: what it emits, what it rewrites, what it warns.
import type { OutputFile } from '../../src/core/graph'
import { describe, expect, it } from 'vitest'
import { FACTS_FUNCTION, RESOLVED_FACTS_ID } from '../../src/contract'
import { integrityOf } from '../../src/core/bytes'
import { finishBundle } from '../../src/core/bundle'
import { resolveOptions } from '../../src/core/options'
import { SizeCache } from '../../src/core/report'

function chunk(fileName: string, code: string, fields: Partial<Extract<OutputFile, { type: 'chunk' }>> = {}): OutputFile {
  return { type: 'chunk', fileName, code, imports: [], dynamicImports: [], isEntry: false, isDynamicEntry: false, facadeModuleId: null, moduleIds: [], modules: {}, ...fields }
}

async function run(bundle: Record<string, OutputFile>, options = {}) {
  const emitted: Record<string, string | Uint8Array> = {}
  const warnings: string[] = []
  const context = {
    getModuleInfo: () => null,
    emitFile: (file: { fileName: string, source: string | Uint8Array }) => (emitted[file.fileName] = file.source, file.fileName),
    warn: (message: string) => void warnings.push(message),
    error: (message: string): never => { throw new Error(message) },
  }
  const modules = [
    { name: 'charts/bar', kind: 'registered' as const, source: 'src/charts/bar.js', id: '/app/src/charts/bar.js', isPackage: false },
    { name: 'start', kind: 'registered' as const, source: 'src/start.js', id: '/app/src/start.js', isPackage: false },
  ]
  await finishBundle(context, bundle, { modules, startup: [] }, resolveOptions({ report: false, ...options }, '/app'), new SizeCache())
  return { emitted, warnings, manifest: JSON.parse(emitted['lazy-manifest.json'] as string) }
}

const entryCode = `const facts = ${FACTS_FUNCTION}()\nexport const load = () => import('./bar.js')\n`

describe('finishBundle', () => {
  it('writes the facts into the registry\'s chunk and a manifest that describes every file as written', async () => {
    const bundle = {
      'index.js': chunk('index.js', entryCode, { isEntry: true, facadeModuleId: '/app/src/start.js', moduleIds: ['/app/src/start.js', RESOLVED_FACTS_ID], dynamicImports: ['bar.js'] }),
      'bar.js': chunk('bar.js', 'export const kind = "bar"\n', { isDynamicEntry: true, facadeModuleId: '/app/src/charts/bar.js', moduleIds: ['/app/src/charts/bar.js'] }),
    }
    const { manifest, warnings } = await run(bundle)
    const entry = bundle['index.js'] as Extract<OutputFile, { type: 'chunk' }>
    expect(entry.code).toContain(`function ${FACTS_FUNCTION}()`)
    expect(manifest.modules['charts/bar']).toMatchObject({ file: 'bar.js', integrity: integrityOf('export const kind = "bar"\n'), archive: null })
    // The module in the registry's own chunk: measured after the facts went in.
    expect(manifest.modules.start).toMatchObject({ file: 'index.js', integrity: integrityOf(entry.code), size: { raw: Buffer.byteLength(entry.code) } })
    // The facts cannot hold their own chunk's digest: they leave it out rather than carry a wrong one.
    const facts = JSON.parse(JSON.parse(/JSON\.parse\((".*")\)/.exec(entry.code)![1]))
    expect(facts.modules.find((module: any) => module.name === 'start')).toMatchObject({ integrity: null, size: null })
    expect(facts.buildId).toBe(manifest.buildId)
    expect(warnings).toEqual(['lazy module "start" is in index.js, which loads at start-up, because code that loads at start-up imports it eagerly too. Marking it lazy saves nothing until that eager import goes.'])
  })

  it('packs an archive, emits it, and takes its chunks out of the loose output', async () => {
    const bundle = {
      'index.js': chunk('index.js', entryCode, { isEntry: true, moduleIds: ['/app/src/main.js'], dynamicImports: ['bar.js'] }),
      'bar.js': chunk('bar.js', 'export const kind = "bar"\n', { isDynamicEntry: true, facadeModuleId: '/app/src/charts/bar.js', moduleIds: ['/app/src/charts/bar.js'] }),
    }
    const { manifest, emitted } = await run(bundle, { archives: { charts: ['charts/*'] } })
    expect(bundle).not.toHaveProperty('bar.js')
    expect(manifest.archives.charts.file).toMatch(/^charts-[\w-]{8}\.zip$/)
    expect(emitted[manifest.archives.charts.file]).toBeInstanceOf(Uint8Array)
    expect(manifest.modules['charts/bar'].archive).toEqual({ name: 'charts', file: manifest.archives.charts.file, entry: 'bar.js' })
  })
})
