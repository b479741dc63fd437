import type { ChartModule } from '../contracts'
import { area, curveBasis } from 'd3-shape'
import { el, HEIGHT, MARGIN, pointPlot } from '../lib/svg'

export const title = 'Area'

export const draw: ChartModule['draw'] = (svg, data, format) => {
  const { x, y } = pointPlot(svg, data, format)
  const shape = area<(typeof data)[number]>().x(d => x(d.month)!).y0(HEIGHT - MARGIN.bottom).y1(d => y(d.value)).curve(curveBasis)
  svg.append(el('path', { d: shape(data) ?? '', class: 'fill' }))
}
