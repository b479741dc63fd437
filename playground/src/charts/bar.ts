import type { ChartModule } from '../contracts'
import { scaleBand } from 'd3-scale'
import { axes, el, HEIGHT, MARGIN, reset, valueScale, WIDTH } from '../lib/svg'

export const title = 'Bar'

export const draw: ChartModule['draw'] = (svg, data, format) => {
  reset(svg)
  const x = scaleBand<number>().domain(data.map(d => d.month)).range([MARGIN.left, WIDTH - MARGIN.right]).padding(0.2)
  const y = valueScale(data)
  axes(svg, x, y, data, format)
  for (const d of data) {
    const bar = el('rect', { x: x(d.month)!, y: y(d.value), width: x.bandwidth(), height: HEIGHT - MARGIN.bottom - y(d.value), class: 'mark' })
    bar.append(el('title', {}, `${format.month(d.month)}: ${format.number(d.value)}`))
    svg.append(bar)
  }
}
