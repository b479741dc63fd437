// The dashboard: lists lazy modules from the registry, loads them on click, and renders what they are.
// Names are typed by lazy-modules.d.ts, which the plugin writes: each kind of module is checked
// against its contract where it is loaded, and plugins' titles come from their metadata.
import type { ModuleInfo, ModuleName } from 'unplugin-lazy-modules/runtime'
import type { ChartModule, LocaleFile, PluginContext, PluginMeta, PluginModule } from './contracts'
import { getLoader, hasModule, importModule, iterModules, load, ModuleNotFoundError, preload } from 'unplugin-lazy-modules/runtime'
import { revenue } from './data'
import * as exporter from './export/pdf' with { lazy: 'true' }
import { formatters, setLocale, t } from './i18n'
import { bytes, h, text } from './lib/dom'
import './style.css'

const chartSvg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
const chartHint = h('p', { class: 'hint' }, text('chartHint'))
const pluginArea = h('div', { class: 'plugin-area' }, h('p', { class: 'hint' }, text('pluginHint')))
const errorPanel = h('div', { class: 'error', role: 'alert', hidden: '' })
const items = new Map<string, HTMLLIElement>()
let chart: ChartModule | undefined
const plugins = new Map<string, PluginModule>()
/** Every plugin's metadata, read by the build: titles and descriptions before any plugin loads. */
const pluginMeta = new Map<string, PluginMeta>(iterModules('plugins/').map(info => [info.name, info.meta]))
/** Modules loaded by name that the dashboard has no view for: their export names. */
const others = new Map<string, string[]>()

function context(): PluginContext {
  return { data: revenue, format: formatters(), t }
}

/** A list of the modules under `prefix`, with what the build knows of each. Loads no module. */
function catalog(prefix: string): HTMLUListElement {
  const list = h('ul', { class: 'catalog' })
  for (const { name } of iterModules(prefix)) {
    const button = h('button', { type: 'button' }, name.slice(prefix.length))
    button.addEventListener('click', () => open(name))
    const about = pluginMeta.get(name)
    if (about)
      button.title = about.description
    const item = h('li', {}, button, h('span', { class: 'status' }))
    // Files and sizes come with the build's facts file, fetched the first time they are asked for.
    void getLoader(name)!.facts().then(info => item.append(facts(info)))
    items.set(name, item)
    list.append(item)
  }
  return list
}

function facts(info: ModuleInfo): HTMLDListElement {
  // The dev server builds no chunks, so it knows sources, not files or sizes.
  const size = info.size ? `${bytes(info.size.raw)} · ${bytes(info.size.gzip)} gzip` : '— (dev server)'
  return h('dl', { class: 'facts' },
    h('dt', {}, 'file'), h('dd', {}, info.file ?? info.source),
    h('dt', {}, 'size'), h('dd', {}, size),
    info.imports.length > 0 && h('dt', {}, 'needs'),
    info.imports.length > 0 && h('dd', {}, `${info.imports.length} shared chunk${info.imports.length > 1 ? 's' : ''}`),
    info.isPackage && h('dd', { class: 'badge' }, 'package'))
}

type Named<Prefix extends string> = Extract<ModuleName, `${Prefix}${string}`>
const kind = <Prefix extends string>(prefix: Prefix) => (name: string): name is Named<Prefix> => hasModule(name) && name.startsWith(prefix)
const isChart = kind('charts/')
const isLocale = kind('locales/')
const isPlugin = kind('plugins/')

async function open(name: string): Promise<void> {
  errorPanel.hidden = true
  const started = performance.now()
  try {
    await show(name)
    const item = items.get(name)
    item?.classList.add('loaded')
    item?.querySelector('.status')?.replaceChildren(`${Math.round(performance.now() - started)} ms`)
  }
  catch (error) {
    showError(name, error)
  }
}

/** Loads a module by name; a listed name gives its own module's type, which must fit its contract here. */
async function show(name: string): Promise<void> {
  if (isChart(name)) {
    chart = await importModule(name) satisfies ChartModule
    drawChart()
  }
  else if (isLocale(name)) {
    changeLocale((await importModule(name)).default satisfies LocaleFile)
  }
  else {
    if (isPlugin(name))
      plugins.set(name, await importModule(name) satisfies PluginModule)
    else // typed by hand: any other name, the runtime refusing what it does not know
      others.set(name, Object.keys(await importModule<object>(name)))
    renderPanels()
  }
}

function drawChart(): void {
  if (!chart)
    return
  chart.draw(chartSvg, revenue, formatters())
  chartHint.hidden = true
}

function renderPanels(): void {
  const panels = [...plugins].map(([name, plugin]) => {
    const body = h('div')
    plugin.mount(body, context())
    return h('section', { 'class': 'panel', 'data-name': name }, h('h3', {}, plugin.meta.title), body)
  })
  for (const [name, exports] of others)
    panels.push(h('section', { 'class': 'panel', 'data-name': name }, h('h3', {}, name), h('p', {}, `exports: ${exports.join(', ') || '(none)'}`)))
  pluginArea.replaceChildren(...panels)
}

function changeLocale(locale: LocaleFile | undefined): void {
  setLocale(locale)
  drawChart()
  if (plugins.size)
    renderPanels()
}

function showError(name: string, error: unknown): void {
  if (error instanceof ModuleNotFoundError) {
    const suggestions = error.suggestions.map((suggestion) => {
      const button = h('button', { type: 'button', class: 'link' }, suggestion)
      button.addEventListener('click', () => {
        nameInput.value = suggestion
        void open(suggestion)
      })
      return button
    })
    errorPanel.replaceChildren(h('div', {},
      h('strong', {}, text('notFound'), `: ${error.moduleName}`),
      suggestions.length > 0 && h('p', {}, text('didYouMean'), ' ', ...suggestions),
      h('p', { class: 'detail' }, error.message)))
  }
  else {
    errorPanel.replaceChildren(h('div', {},
      h('strong', {}, text('loadFailed'), ` ${name}`),
      h('p', { class: 'detail' }, String(error))))
  }
  errorPanel.hidden = false
}

// Load by name: anything registered, typed by hand.
const nameInput = h('input', {
  'name': 'module',
  'list': 'module-names',
  'placeholder': 'charts/bar',
  'autocomplete': 'off',
  'aria-label': 'module name',
})
const nameHint = h('span', { class: 'hint' })
nameInput.addEventListener('input', () => {
  const known = hasModule(nameInput.value)
  nameHint.replaceChildren(nameInput.value ? text(known ? 'known' : 'unknown') : '')
  nameHint.classList.toggle('ok', known)
})
const nameForm = h('form', { class: 'by-name' },
  nameInput,
  h('button', { type: 'submit' }, text('load')),
  nameHint,
  h('datalist', { id: 'module-names' }, ...iterModules().map(info => h('option', { value: info.name }))))
nameForm.addEventListener('submit', (event) => {
  event.preventDefault()
  void open(nameInput.value.trim())
})

// Export: a marked import. Pointing at the button fetches its chunk; the first click runs it.
const exportButton = h('button', { type: 'button' }, text('exportPdf'))
const exportOutput = h('p', { class: 'output' })
exportButton.addEventListener('pointerenter', () => void preload(exporter), { once: true })
exportButton.addEventListener('click', async () => {
  const { exportPdf } = await load(exporter)
  const format = formatters()
  const pdf = exportPdf({
    title: t('title'),
    subtitle: t('revenue'),
    rows: revenue.map(d => [format.month(d.month), format.number(d.value)]),
    values: revenue.map(d => d.value),
  })
  const link = h('a', { href: URL.createObjectURL(pdf), download: 'dashboard.pdf' }, `dashboard.pdf (${bytes(pdf.size)})`)
  exportOutput.replaceChildren(link)
})
// A marked import is registered under its path from the root, without the extension; its handle finds it.
const exporterFacts = h('div')
void getLoader(exporter)?.facts().then(info => exporterFacts.replaceChildren(facts(info)))

const englishButton = h('button', { type: 'button' }, text('builtIn'))
englishButton.addEventListener('click', () => changeLocale(undefined))
const localeList = catalog('locales/')
localeList.prepend(h('li', {}, englishButton))

chartSvg.setAttribute('class', 'chart')
chartSvg.setAttribute('role', 'img')

document.querySelector('#app')!.replaceChildren(
  h('header', {}, h('h1', {}, text('title')), h('p', {}, text('subtitle'))),
  h('main', {},
    h('nav', {},
      h('section', {}, h('h2', {}, text('charts')), catalog('charts/')),
      h('section', {}, h('h2', {}, text('locales')), localeList),
      h('section', {}, h('h2', {}, text('plugins')), catalog('plugins/'))),
    h('div', { class: 'stage' },
      h('figure', {}, h('figcaption', {}, text('revenue')), chartSvg, chartHint),
      pluginArea),
    h('aside', {},
      h('section', {},
        h('h2', {}, text('exportTitle')),
        exportButton,
        h('p', { class: 'hint' }, text('exportHint')),
        exporterFacts,
        exportOutput),
      h('section', {}, h('h2', {}, text('byName')), nameForm, errorPanel))),
)
