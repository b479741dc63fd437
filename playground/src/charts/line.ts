import type { ChartModule } from '../contracts'
import { scalePoint } from 'd3-scale'
import { curveMonotoneX, line } from 'd3-shape'
import { axes, el, MARGIN, reset, valueScale, WIDTH } from '../lib/svg'

export const title = 'Line'

export const draw: ChartModule['draw'] = (svg, data, format) => {
  reset(svg)
  const x = scalePoint<number>().domain(data.map(d => d.month)).range([MARGIN.left, WIDTH - MARGIN.right]).padding(0.5)
  const y = valueScale(data)
  axes(svg, x, y, data, format)
  const path = line<(typeof data)[number]>().x(d => x(d.month)!).y(d => y(d.value)).curve(curveMonotoneX)
  svg.append(el('path', { d: path(data) ?? '', class: 'stroke' }))
  for (const d of data)
    svg.append(el('circle', { cx: x(d.month)!, cy: y(d.value), r: 3.5, class: 'mark' }))
}
