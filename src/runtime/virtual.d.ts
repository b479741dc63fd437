// The registry module the plugin provides (see src/core/registry.ts); only the runtime reads it.
// Its shape is spelled once, in src/contract.ts.
declare module 'virtual:lazy-modules' {
  export const loaders: import('../contract').RegistryModule['loaders']
  export const facts: import('../contract').RegistryModule['facts']
  export const base: import('../contract').RegistryModule['base']
  export const memory: import('../contract').RegistryModule['memory']
}
