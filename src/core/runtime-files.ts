// Where the runtime the plugin bundles into apps lives: the package's built runtime, or, when the
// plugin itself runs from source (its own tests, the playground), the runtime's source, which Vite
// and Rolldown compile as they would any TypeScript.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const PACKAGE = 'unplugin-lazy-modules'

export function runtimeFile(name: 'index' | 'recovery' | 'memory' | 'memory-deflate'): string {
  if (import.meta.url.endsWith('.ts'))
    return fileURLToPath(new URL(`../runtime/${name}.ts`, import.meta.url))
  try {
    // Through the package's own `exports` (a package may import itself by name), so it does not
    // matter which chunk of the build this code landed in.
    return createRequire(import.meta.url).resolve(`${PACKAGE}/runtime${name === 'index' ? '' : `/${name}`}`)
  }
  catch {
    throw new Error(`[lazy-modules] the runtime is missing from the installed package: reinstall unplugin-lazy-modules.`)
  }
}

/** The memory loader a build bundles: only builds whose archives are deflated carry the inflating code. */
export function memoryRuntimeFile(compression: 'store' | 'deflate'): string {
  return runtimeFile(compression === 'deflate' ? 'memory-deflate' : 'memory')
}
