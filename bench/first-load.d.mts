// Types for bench/first-load.mjs, which test/build/first-load.test.ts imports.
export function writeApp(dir: string, n: number, variant: 'plugin' | 'all' | 'integrity' | 'glob', app?: { commonjs?: boolean }): void
export function firstLoad(outDir: string): { bytes: number, js: string[] }
export function measure(n: number, variant: 'plugin' | 'all' | 'integrity' | 'glob', plugin?: (options: object) => unknown, app?: { commonjs?: boolean }): Promise<{ bytes: number, js: string[] }>
