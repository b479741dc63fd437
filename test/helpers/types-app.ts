// The `modules` option of test/fixtures/types-app: names from a glob, from a function, and metadata
// from an export or from a file beside each module.
import type { Options } from '../../src/types'

export const typesAppModules: Options['modules'] = {
  'charts/*': 'src/charts/*.ts',
  'locales/*': 'src/locales/*.json',
  'tools/*': { source: 'src/tools/*/index.ts', name: (_path, name) => name === 'tools/text-replacer' ? 'string/replacer' : name, meta: 'meta' },
  'widgets/*': { source: 'src/widgets/*/index.ts', meta: './meta.json' },
}
