// After chunking: the stages that read the finished bundle, in order. Facts first (what each lazy
// module became), then archives (which chunks leave the loose output), then the manifest and the
// registry's facts, then the report, which measures the files as written.
import type { ResolvedOptions } from './options'
import type { OutputBundleLike } from './manifest'
import type { LazyModule } from './registry'
import type { ReportContext, SizeCache } from './report'
import { chunkFacts, linksReady, packArchives } from './archive'
import { collectFacts, createManifest, fillRegistry, withArchives } from './manifest'
import { bundleInput, emitReport } from './report'

/** What a bundler's `generateBundle` context must offer; Rollup's and Rolldown's both do. */
export interface OutputContext extends Omit<ReportContext, 'emitFile'> {
  getModuleInfo: (id: string) => { importers: readonly string[], dynamicImporters: readonly string[], isEntry: boolean } | null
  emitFile: (file: { type: 'asset', fileName: string, source: string | Uint8Array }) => string
}

export async function finishBundle(context: OutputContext, bundle: Record<string, any>, modules: LazyModule[], options: ResolvedOptions, sizes: SizeCache): Promise<void> {
  await linksReady()
  const output = bundle as OutputBundleLike
  const { modules: loose, eager } = collectFacts(modules, output)
  const packed = packArchives(loose, output, { groups: options.archives, compression: options.compression })
  const manifest = createManifest(withArchives(loose, packed.archives), packed.archives)
  const moduleFiles = new Set(loose.map(module => module.file).filter((file): file is string => !!file))
  const runtimeFacts = { chunks: chunkFacts(output, packed, moduleFiles), fallback: options.keepLooseChunks, manifest: options.manifest || null, retry: options.retry }
  const outputFiles = Object.values(bundle) // archived chunks included, for the report
  for (const file of packed.archived) {
    if (!options.keepLooseChunks)
      delete bundle[file]
  }
  for (const [fileName, source] of packed.files)
    context.emitFile({ type: 'asset', fileName, source })
  for (const file of Object.values(bundle)) {
    if (file.type === 'chunk')
      fillRegistry(file, manifest, runtimeFacts)
  }
  for (const warning of packed.warnings)
    context.warn(warning)
  for (const { name, file } of eager)
    context.warn(`lazy module ${JSON.stringify(name)} is in ${file}, which loads at start-up, because code that loads at start-up imports it eagerly too. Marking it lazy saves nothing until that eager import goes.`)
  if (options.manifest)
    context.emitFile({ type: 'asset', fileName: options.manifest, source: `${JSON.stringify(manifest, null, 2)}\n` })
  // Last, so that sizes are of the chunks as written (the registry's facts included).
  const reportInput = bundleInput(outputFiles, manifest, packed.files, { moduleInfo: id => context.getModuleInfo(id), root: options.root })
  await emitReport(context, reportInput, options, sizes)
}
