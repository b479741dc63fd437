// The registry module the plugin provides (see src/core/registry.ts); only the runtime reads it.
declare module 'virtual:lazy-modules' {
  export const loaders: [name: string, load: () => Promise<unknown>][]
  export const facts: { buildId: string, root: string, modules: import('../types').ModuleInfo[] }
  export const base: string
}
