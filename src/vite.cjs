// For CommonJS configs: `require('unplugin-lazy-modules/vite')`, or a vite.config.js with `import`
// that Vite bundles to CommonJS. Node >= 20.19 can require() the ES module; this hands over its
// default export, the plugin itself.
module.exports = require('./vite.mjs').default
