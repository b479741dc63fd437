// The recovery chunk: everything a load needs past the bundler's own `import()` (retries, the
// stale-build check, archives, the facts), which the first load imports only when one fails or
// needs more. Its own chunk, apart from the memory loader's, which only archives and retries from
// memory need.
export { facts, preload, recover } from './loading'
