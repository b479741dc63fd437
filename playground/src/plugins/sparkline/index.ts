// Uses d3-shape like the charts do: the bundler puts the shared code in a chunk both import.
import type { PluginMeta, PluginModule } from '../../contracts'
import { line } from 'd3-shape'

export const meta = { title: 'Sparkline', description: 'The year in one line.' } satisfies PluginMeta

const WIDTH = 240
const HEIGHT = 48

export const mount: PluginModule['mount'] = (panel, { data, format, t }) => {
  const values = data.map(d => d.value)
  const min = Math.min(...values)
  const max = Math.max(...values)
  const path = line<number>()
    .x((_, i) => 4 + (i * (WIDTH - 8)) / (values.length - 1))
    .y(value => HEIGHT - 4 - ((value - min) / (max - min)) * (HEIGHT - 8))
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`)
  svg.setAttribute('class', 'sparkline')
  const stroke = document.createElementNS('http://www.w3.org/2000/svg', 'path')
  stroke.setAttribute('d', path(values) ?? '')
  svg.append(stroke)
  const caption = document.createElement('p')
  caption.textContent = `${t('revenue')}: ${format.number(min)} – ${format.number(max)}`
  panel.replaceChildren(svg, caption)
}
