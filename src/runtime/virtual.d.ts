// The modules the plugin provides (see src/core/registry.ts); only the runtime reads them.
// Their shapes are spelled once, in src/contract.ts.
declare module 'virtual:lazy-modules' {
  export const loaders: import('../contract').RegistryModule['loaders']
  export const packages: import('../contract').RegistryModule['packages']
  export const archived: import('../contract').RegistryModule['archived']
  export const meta: import('../contract').RegistryModule['meta']
  export const facts: import('../contract').RegistryModule['facts']
  export const base: import('../contract').RegistryModule['base']
  export const recovery: import('../contract').RegistryModule['recovery']
  export const memory: import('../contract').RegistryModule['memory']
  export const fetchArchive: import('../contract').RegistryModule['fetchArchive']
  /** Only in the dev server's registry: where it hands the runtime its updates (`UPDATE_KEY`). */
  export const updateKey: string | undefined
}
declare module 'virtual:lazy-modules/facts' {
  export const facts: import('../contract').FactsModule['facts']
  export const base: import('../contract').FactsModule['base']
}
declare module 'unplugin-lazy-modules/runtime/memory' {
  export const createMemoryLoader: import('../contract').MemoryModule['createMemoryLoader']
}
