import type { ChartModule } from '../contracts'
import { scaleSequential } from 'd3-scale'
import { arc, pie } from 'd3-shape'
import { el, HEIGHT, reset, WIDTH } from '../lib/svg'

export const title = 'Pie'

export const draw: ChartModule['draw'] = (svg, data, format) => {
  reset(svg)
  const radius = HEIGHT / 2 - 16
  const slices = pie<(typeof data)[number]>().value(d => d.value).sort(null)(data)
  const shape = arc<(typeof slices)[number]>().innerRadius(radius * 0.45).outerRadius(radius).padAngle(0.01)
  const label = arc<(typeof slices)[number]>().innerRadius(radius * 0.8).outerRadius(radius * 0.8)
  const color = scaleSequential<string>().domain([0, data.length]).range(['#c7d2fe', '#3730a3'])
  const group = el('g', { transform: `translate(${WIDTH / 2},${HEIGHT / 2})` })
  for (const slice of slices) {
    const path = el('path', { d: shape(slice) ?? '', fill: color(slice.index) })
    path.append(el('title', {}, `${format.month(slice.data.month)}: ${format.number(slice.data.value)}`))
    const [lx, ly] = label.centroid(slice)
    group.append(path, el('text', { 'x': lx, 'y': ly + 4, 'text-anchor': 'middle', 'class': 'tick on-dark' }, format.month(slice.data.month)))
  }
  svg.append(group)
}
