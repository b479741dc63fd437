// UI strings. English is built in; other locales are lazy modules (`locales/*`).
import type { Formatters, LocaleFile } from './contracts'

export const english = {
  title: 'Lazy modules dashboard',
  subtitle: 'Everything below is listed from the manifest. Nothing is loaded until you click it.',
  charts: 'Charts',
  locales: 'Locales',
  plugins: 'Plugins',
  builtIn: 'English (built in)',
  chartHint: 'Pick a chart type to load it.',
  pluginHint: 'Plugins you load add a panel here.',
  exportTitle: 'Export',
  exportPdf: 'Export PDF',
  exportHint: 'The exporter is a marked import: pointing at the button fetches it, the first click runs it.',
  byName: 'Load by name',
  load: 'Load',
  known: 'registered',
  unknown: 'not registered',
  loaded: 'loaded',
  notFound: 'Module not found',
  didYouMean: 'Did you mean:',
  loadFailed: 'Could not load',
  revenue: 'Monthly revenue',
  total: 'Total',
  mean: 'Mean',
  best: 'Best month',
  worst: 'Worst month',
  month: 'Month',
  value: 'Value',
}

export type Strings = typeof english

let strings: Strings = english
let tag = 'en-US'

export function t(key: keyof Strings): string {
  return strings[key]
}

export function setLocale(locale: LocaleFile | undefined): void {
  strings = { ...english, ...locale?.strings }
  tag = locale?.tag ?? 'en-US'
  document.documentElement.lang = tag
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]'))
    element.textContent = t(element.dataset.i18n as keyof Strings)
}

export function formatters(): Formatters {
  const months = new Intl.DateTimeFormat(tag, { month: 'short' })
  const numbers = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 })
  return {
    month: month => months.format(new Date(2026, month, 1)),
    number: value => numbers.format(value),
  }
}
