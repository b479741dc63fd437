// The recovery chunk: everything a load needs past the bundler's own `import()` (retries, the
// stale-build check, archives, the facts, the explanation of a name refused), which the first load
// imports in the background with its first lazy load, and waits for only when one fails or needs
// more. Its own chunk, apart from the memory loader's, which only archives and retries from memory need.
import { facts, preload, prepare, recover, refuse } from './loading'

/**
 * One object, which the first load takes out of its `import()` by name. The chunk also exports what
 * it shares with the memory loader's, so its module namespace is no plain chunk namespace: asked for
 * whole, Rolldown would build one with a runtime helper, and an app whose first load needs Rolldown's
 * helpers too (a CommonJS dependency) would get them in a start-up chunk of their own.
 */
export const recovery = { facts, preload, prepare, recover, refuse }
