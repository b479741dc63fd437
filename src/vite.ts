import { unplugin } from '.'

/** The Vite plugin: `plugins: [LazyModules({ modules: { 'charts/*': 'src/charts/*.ts' } })]`. */
export default unplugin.vite
