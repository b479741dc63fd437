// For CommonJS configs: `require('unplugin-lazy-modules/rolldown')`. Node >= 20.19 can require() the
// ES module; this hands over its default export, the plugin itself.
module.exports = require('./rolldown.mjs').default
