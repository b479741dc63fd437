import type { ChartModule } from '../contracts'
import { scalePoint } from 'd3-scale'
import { area, curveBasis } from 'd3-shape'
import { axes, el, HEIGHT, MARGIN, reset, valueScale, WIDTH } from '../lib/svg'

export const title = 'Area'

export const draw: ChartModule['draw'] = (svg, data, format) => {
  reset(svg)
  const x = scalePoint<number>().domain(data.map(d => d.month)).range([MARGIN.left, WIDTH - MARGIN.right]).padding(0.5)
  const y = valueScale(data)
  axes(svg, x, y, data, format)
  const shape = area<(typeof data)[number]>().x(d => x(d.month)!).y0(HEIGHT - MARGIN.bottom).y1(d => y(d.value)).curve(curveBasis)
  svg.append(el('path', { d: shape(data) ?? '', class: 'fill' }))
}
