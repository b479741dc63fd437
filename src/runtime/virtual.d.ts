// The registry module the plugin provides (see src/core/registry.ts); only the runtime reads it.
declare module 'virtual:lazy-modules' {
  export const loaders: [name: string, load: () => Promise<unknown>][]
  export const facts: import('./runtime').Facts
  export const base: string
  export const memory: (() => Promise<typeof import('./memory')>) | undefined
}
