import type { Plugin, RollupOptions } from 'rollup'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ts from 'typescript'
import { defineBuildConfig } from 'unbuild'

const entries = ['index', 'vite', 'rollup', 'rolldown', 'types', 'runtime/index', 'runtime/recovery', 'runtime/memory', 'runtime/memory-deflate', 'runtime/zip', 'node/index', 'node/hooks', 'cli']

let declarations: string | undefined

export default defineBuildConfig({
  entries: [
    ...entries.map(entry => `src/${entry}`),
    // The `require` conditions of the adapters, for CommonJS configs: written by hand, not built.
    { builder: 'copy', input: 'src', outDir: 'dist', pattern: '*.cjs' },
  ],
  declaration: 'node16',
  clean: true,
  externals: ['virtual:lazy-modules', 'vite', 'rollup', 'rolldown'],
  hooks: {
    // Given .ts entries, rollup-plugin-dts makes a TypeScript program per run of entries in one
    // folder, then one more for each entry it cannot find among their root files (unbuild passes
    // names without the extension, so it finds none): 11 more here, most of the build's time. One
    // program emits every declaration instead, and the plugin only bundles the .d.ts files.
    'rollup:dts:options': (ctx, options: RollupOptions) => {
      declarations = mkdtempSync(join(tmpdir(), 'lazy-modules-dts-'))
      emitDeclarations(ctx.options.rootDir, declarations)
      options.input = Object.fromEntries(entries.map(entry => [entry, join(declarations!, `${entry}.d.ts`)]))
      // esbuild would compile the .d.ts files to empty modules.
      options.plugins = (options.plugins as Plugin[]).filter(plugin => plugin?.name !== 'esbuild')
    },
    // Rollup has read every declaration by now.
    'rollup:dts:build': () => {
      if (declarations)
        rmSync(declarations, { recursive: true, force: true })
    },
  },
})

/** Writes a .d.ts for every file under `src`, with the options rollup-plugin-dts would use. */
function emitDeclarations(rootDir: string, outDir: string) {
  const src = join(rootDir, 'src')
  const configFile = join(rootDir, 'tsconfig.json')
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configFile, ts.sys.readFile).config, ts.sys, rootDir)
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    noEmitOnError: false,
    declarationMap: false,
    composite: false,
    outDir,
    rootDir: src,
  }
  // Ambient declarations (the virtual registry module) come along as rollup-plugin-dts would take them.
  const roots = [...entries.map(entry => join(src, `${entry}.ts`)), ...config.fileNames.filter(file => file.startsWith(`${src}/`) && file.endsWith('.d.ts'))]
  const program = ts.createProgram(roots, options)
  const { emitSkipped, diagnostics } = program.emit(undefined, undefined, undefined, true)
  const errors = diagnostics.filter(diagnostic => diagnostic.category === ts.DiagnosticCategory.Error)
  if (emitSkipped || errors.length) {
    const host = { getCanonicalFileName: (name: string) => name, getCurrentDirectory: () => rootDir, getNewLine: () => '\n' }
    throw new Error(`declarations failed:\n${ts.formatDiagnostics(errors, host)}`)
  }
}
