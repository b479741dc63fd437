// The playground uses the plugin from source. Its runtime comes from ../dist, so run `npm run build`
// first (`npm run demo` does).
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
        // index files: each plugin is a package, named after its folder
        'plugins/*': 'src/plugins/*/index.ts',
      },
    }),
  ],
  build: { target: 'es2022' },
})
