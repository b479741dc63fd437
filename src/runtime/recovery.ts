// The recovery chunk: everything a load needs past the bundler's own `import()` (retries, the
// stale-build check, archives, the facts, the explanation of a name refused), which the first load
// imports in the background with its first lazy load, and waits for only when one fails or needs
// more. Its own chunk, apart from the memory loader's, which only archives and retries from memory need.
export { facts, prepare, preload, recover, refuse } from './loading'
