import { unplugin } from '.'

/** The Rollup plugin: `plugins: [LazyModules({ modules: { 'charts/*': 'src/charts/*.ts' } })]`. */
export default unplugin.rollup
