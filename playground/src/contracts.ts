// What the dashboard expects of each kind of lazy module. Types only: nothing here reaches the bundle.
import type { Strings } from './i18n'

/** One point of the sample series: a month (0–11) and a value. */
export interface Datum {
  month: number
  value: number
}

/** Formatting that follows the chosen locale. */
export interface Formatters {
  month: (month: number) => string
  number: (value: number) => string
}

/** `charts/*`: draws the data into the dashboard's SVG. */
export interface ChartModule {
  title: string
  draw: (svg: SVGSVGElement, data: Datum[], format: Formatters) => void
}

/** `locales/*`: JSON. Missing strings fall back to English. */
export interface LocaleFile {
  /** BCP 47 tag for `Intl`, e.g. `fr-FR`. */
  tag: string
  name: string
  strings: Partial<Strings>
}

export interface PluginContext {
  data: Datum[]
  format: Formatters
  t: (key: keyof Strings) => string
}

/** `plugins/*`: a package that fills a panel. */
export interface PluginModule {
  /** Read by the build, without running the plugin: `iterModules('plugins/')` lists it. */
  meta: PluginMeta
  mount: (panel: HTMLElement, context: PluginContext) => void
}

export interface PluginMeta {
  title: string
  description: string
}
