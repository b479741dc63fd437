// Shared by the chart modules only, so it lands in a lazy chunk of its own, not in the entry.
import type { ScaleBand, ScaleLinear, ScalePoint } from 'd3-scale'
import type { Datum, Formatters } from '../contracts'
import { scaleLinear, scalePoint } from 'd3-scale'

const SVG = 'http://www.w3.org/2000/svg'
export const WIDTH = 640
export const HEIGHT = 320
export const MARGIN = { top: 16, right: 16, bottom: 32, left: 48 }

export function el<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag)
  for (const [key, value] of Object.entries(attributes))
    element.setAttribute(key, String(value))
  if (text !== undefined)
    element.textContent = text
  return element
}

/** Empties the SVG and sets its coordinate system. */
export function reset(svg: SVGSVGElement): void {
  svg.replaceChildren()
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`)
}

/** A y scale from zero to a little above the largest value. */
export function valueScale(data: Datum[]): ScaleLinear<number, number> {
  const max = Math.max(...data.map(d => d.value))
  return scaleLinear().domain([0, max * 1.1]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top])
}

/** Month labels under the plot and value ticks beside it. */
export function axes(svg: SVGSVGElement, x: ScaleBand<number> | ScalePoint<number>, y: ScaleLinear<number, number>, data: Datum[], format: Formatters): void {
  const offset = 'bandwidth' in x ? x.bandwidth() / 2 : 0
  for (const d of data)
    svg.append(el('text', { 'x': (x(d.month) ?? 0) + offset, 'y': HEIGHT - 10, 'text-anchor': 'middle', 'class': 'tick' }, format.month(d.month)))
  for (const tick of y.ticks(5)) {
    svg.append(el('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(tick), y2: y(tick), class: 'grid' }))
    svg.append(el('text', { 'x': MARGIN.left - 8, 'y': y(tick) + 4, 'text-anchor': 'end', 'class': 'tick' }, format.number(tick)))
  }
}

/** A fresh plot with months as points along x, values up y, and both axes drawn: for lines and areas. */
export function pointPlot(svg: SVGSVGElement, data: Datum[], format: Formatters): { x: ScalePoint<number>, y: ScaleLinear<number, number> } {
  reset(svg)
  const x = scalePoint<number>().domain(data.map(d => d.month)).range([MARGIN.left, WIDTH - MARGIN.right]).padding(0.5)
  const y = valueScale(data)
  axes(svg, x, y, data, format)
  return { x, y }
}
