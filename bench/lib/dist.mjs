// The plugin as built by `npm run build`, copied aside so that a rebuild of dist/ during a run cannot
// pull it from under the child builds. Exits when dist/ is missing or incomplete.
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Copies a build of the plugin (`built`: a dist/ folder) to `to`; returns when it was built and a hash of its entry and runtime. */
export function copyDist(built, to) {
  if (!existsSync(join(built, 'vite.mjs')) || !existsSync(join(built, 'runtime', 'index.mjs'))) {
    console.error('dist/ is missing or incomplete: run `npm run build` first.')
    process.exit(1)
  }
  rmSync(to, { recursive: true, force: true })
  cpSync(built, to, { recursive: true })
  // The plugin finds its runtime through its own package.json (a self-reference): the copy gets one
  // that points into itself, or an earlier build would bundle the live dist/'s runtime.
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'))
  writeFileSync(join(to, 'package.json'), JSON.stringify({ name: pkg.name, type: pkg.type, exports: JSON.parse(JSON.stringify(pkg.exports).replaceAll('./dist/', './')) }))
  return {
    builtAt: statSync(join(built, 'index.mjs')).mtime.toISOString(),
    sha256: createHash('sha256').update(readFileSync(join(to, 'index.mjs'))).update(readFileSync(join(to, 'runtime', 'index.mjs'))).digest('hex').slice(0, 16),
  }
}
