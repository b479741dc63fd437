import { execFileSync } from 'node:child_process'

// Builds read the runtime from dist/ (see runtimeFile in src/index.ts), so build it once per run.
export default function setup() {
  execFileSync('npx', ['unbuild'], { stdio: 'inherit' })
}
