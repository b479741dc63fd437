// The package as users get it, built by `unbuild` (build.config.ts) from a copy of the sources into a
// temporary folder, so that two test runs, or a test run and `npm run build`, never share a dist/.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { tempDir } from './build'

const repo = resolve(import.meta.dirname, '../..')

export interface BuiltPackage {
  /** The package folder: package.json and dist/, with node_modules linked to this checkout's. */
  dir: string
  /** A file of the package by its export name (`unplugin-lazy-modules/vite`), through its `exports`. */
  resolve: (id: string) => string
  /** Imports an export of the package by name, as an app would. */
  import: (id: string) => Promise<any>
  remove: () => void
}

export async function buildPackage(): Promise<BuiltPackage> {
  const dir = tempDir('lazy-package-')
  for (const file of ['package.json', 'build.config.ts', 'tsconfig.json'])
    cpSync(join(repo, file), join(dir, file))
  cpSync(join(repo, 'src'), join(dir, 'src'), { recursive: true })
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir')
  try {
    await promisify(execFile)(process.execPath, [join(repo, 'node_modules/unbuild/dist/cli.mjs')], { cwd: dir })
  }
  catch (error: any) {
    throw new Error(`unbuild failed in ${dir}:\n${error.stdout}${error.stderr}`)
  }
  // A package may import itself by name; from inside its folder, that goes through its `exports`.
  const require = createRequire(join(dir, 'package.json'))
  return {
    dir,
    resolve: id => require.resolve(id),
    import: id => import(pathToFileURL(require.resolve(id)).href),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/**
 * Installs the built package into `project`'s node_modules as npm would: a real folder (package.json
 * and dist/), so tools see it under node_modules (Vitest externalizes what is there); every other
 * package is this checkout's, linked.
 */
export function installPackage(pkg: BuiltPackage, project: string): void {
  const nodeModules = join(project, 'node_modules')
  mkdirSync(nodeModules, { recursive: true })
  for (const entry of readdirSync(join(repo, 'node_modules')))
    symlinkSync(join(repo, 'node_modules', entry), join(nodeModules, entry))
  const target = join(nodeModules, 'unplugin-lazy-modules')
  for (const file of ['package.json', 'dist'])
    cpSync(join(pkg.dir, file), join(target, file), { recursive: true })
}
