// The playground uses the plugin from source, which bundles the runtime's source too: no build needed.
import { defineConfig } from 'vite'
import LazyModules from '../src/vite'

export default defineConfig({
  // Explicit, so `vite playground` and `build({ configFile: 'playground/vite.config.ts' })` agree.
  root: import.meta.dirname,
  plugins: [
    LazyModules({
      modules: {
        'charts/*': 'src/charts/*.ts',
        'locales/*': 'src/locales/*.json',
        // index files: each plugin is a package, named after its folder. Its `meta` export is read
        // at build time, so the dashboard lists titles and descriptions before any plugin loads.
        'plugins/*': { source: 'src/plugins/*/index.ts', meta: 'meta' },
      },
    }),
  ],
  build: { target: 'es2022' },
})
