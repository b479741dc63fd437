import { defineBuildConfig } from 'unbuild'

export default defineBuildConfig({
  entries: ['src/index', 'src/vite', 'src/rollup', 'src/types', 'src/runtime/index', 'src/runtime/memory', 'src/runtime/memory-deflate', 'src/runtime/zip', 'src/node/index', 'src/node/hooks', 'src/cli'],
  declaration: 'node16',
  clean: true,
  externals: ['virtual:lazy-modules', 'vite', 'rollup'],
})
