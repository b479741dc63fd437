import type { ChartModule } from '../contracts'
import { curveMonotoneX, line } from 'd3-shape'
import { el, pointPlot } from '../lib/svg'

export const title = 'Line'

export const draw: ChartModule['draw'] = (svg, data, format) => {
  const { x, y } = pointPlot(svg, data, format)
  const path = line<(typeof data)[number]>().x(d => x(d.month)!).y(d => y(d.value)).curve(curveMonotoneX)
  svg.append(el('path', { d: path(data) ?? '', class: 'stroke' }))
  for (const d of data)
    svg.append(el('circle', { cx: x(d.month)!, cy: y(d.value), r: 3.5, class: 'mark' }))
}
