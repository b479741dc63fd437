// `unplugin-lazy-modules/node` from source, built into a temporary folder for `node --import`: Node
// registers the hooks by URL in a thread of their own, where no test transform reaches, so they must
// be JavaScript on disk.
import { join, resolve } from 'node:path'
import { rollup } from 'rollup'
import { runtimeSource, tempDir } from './build'

const src = resolve(import.meta.dirname, '../../src/node')

let built: Promise<string> | undefined

/** The path of the built entry (index.mjs, which registers hooks.mjs beside it), built once per test file. */
export function nodeHooksEntry(): Promise<string> {
  built ??= (async () => {
    const dir = tempDir('lazy-node-hooks-')
    const bundle = await rollup({ input: { index: join(src, 'index.ts'), hooks: join(src, 'hooks.ts') }, plugins: [runtimeSource], external: /^node:/ })
    await bundle.write({ dir, format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' })
    await bundle.close()
    return join(dir, 'index.mjs')
  })()
  return built
}
