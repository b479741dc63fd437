// The plugin as built by `npm run build`, copied aside so that a rebuild of dist/ during a run cannot
// pull it from under the child builds. Exits when dist/ is missing or incomplete.
import { cpSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'

/** Copies a build of the plugin (`built`: a dist/ folder) to `to`; returns when it was built and a hash of its entry and runtime. */
export function copyDist(built, to) {
  if (!existsSync(join(built, 'vite.mjs')) || !existsSync(join(built, 'runtime', 'index.mjs'))) {
    console.error('dist/ is missing or incomplete: run `npm run build` first.')
    process.exit(1)
  }
  rmSync(to, { recursive: true, force: true })
  cpSync(built, to, { recursive: true })
  return {
    builtAt: statSync(join(built, 'index.mjs')).mtime.toISOString(),
    sha256: createHash('sha256').update(readFileSync(join(to, 'index.mjs'))).update(readFileSync(join(to, 'runtime', 'index.mjs'))).digest('hex').slice(0, 16),
  }
}
