// The registry module the plugin provides (see src/core/registry.ts); only the runtime reads it.
// Its shape is spelled once, in src/contract.ts.
declare module 'virtual:lazy-modules' {
  export const loaders: import('../contract').RegistryModule['loaders']
  export const packages: import('../contract').RegistryModule['packages']
  export const archived: import('../contract').RegistryModule['archived']
  export const meta: import('../contract').RegistryModule['meta']
  export const facts: import('../contract').RegistryModule['facts']
  export const base: import('../contract').RegistryModule['base']
  export const loadFacts: import('../contract').RegistryModule['loadFacts']
  export const memory: import('../contract').RegistryModule['memory']
  export const recovery: import('../contract').RegistryModule['recovery']
}
