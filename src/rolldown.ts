import { unplugin } from '.'

/** The Rolldown plugin: `plugins: [LazyModules({ modules: { 'charts/*': 'src/charts/*.ts' } })]`. */
export default unplugin.rolldown
