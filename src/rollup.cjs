// For CommonJS configs: `require('unplugin-lazy-modules/rollup')`, or `import` in a config that Rollup
// loads as CommonJS (`--bundleConfigAsCjs`). Node >= 20.19 can require() the ES module; this hands
// over its default export, the plugin itself.
module.exports = require('./rollup.mjs').default
