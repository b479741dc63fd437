// Written by unplugin-lazy-modules (option `dts`): the names importModule, getLoader, iterModules,
// hasModule and preload take, and their modules' types. Include it in your tsconfig (the app's, as
// tsconfig.app.json in create-vite and create-vue projects). It is rewritten on every build, and by
// the dev server when a file matching a `modules` glob comes or goes.
export {}

declare module 'unplugin-lazy-modules/runtime' {
  interface LazyModules {
    "charts/area": typeof import("./src/charts/area.js")
    "charts/bar": typeof import("./src/charts/bar.js")
    "charts/line": typeof import("./src/charts/line.js")
    "charts/pie": typeof import("./src/charts/pie.js")
    "locales/de": typeof import("./src/locales/de.json") & { default: typeof import("./src/locales/de.json") }
    "locales/es": typeof import("./src/locales/es.json") & { default: typeof import("./src/locales/es.json") }
    "locales/fr": typeof import("./src/locales/fr.json") & { default: typeof import("./src/locales/fr.json") }
    "locales/ja": typeof import("./src/locales/ja.json") & { default: typeof import("./src/locales/ja.json") }
    "plugins/sparkline": typeof import("./src/plugins/sparkline/index.js")
    "plugins/stats": typeof import("./src/plugins/stats/index.js")
    "plugins/table": typeof import("./src/plugins/table/index.js")
  }
  // Marked lazy by an import, as the last client build found them:
  interface LazyModules {
    "src/export/pdf": typeof import("./src/export/pdf.js")
  }
  interface LazyModuleMeta {
    "plugins/sparkline": typeof import("./src/plugins/sparkline/index.js").meta
    "plugins/stats": typeof import("./src/plugins/stats/index.js").meta
    "plugins/table": typeof import("./src/plugins/table/index.js").meta
  }
}
