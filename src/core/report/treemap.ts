// A treemap of the first load: a box per package and per source folder, sized by gzip, with the
// modules inside. Laid out here (squarified, Bruls et al. 2000) into positioned boxes, so the page
// needs no script to draw it and reads the same in a screenshot.
import type { Composition } from './types'
import { formatSize } from './format'

interface Box { x: number, y: number, w: number, h: number }
interface Item { name: string, value: number }

/** The page's treemap is this many units wide and high; boxes are placed in percent of it. */
const WIDTH = 1000
const HEIGHT = 460
const HEADER = 18

/** Splits `box` among `items` (largest first) so that boxes stay close to square. */
export function squarify<T extends Item>(items: T[], box: Box): (T & Box)[] {
  const placed: (T & Box)[] = []
  const total = items.reduce((sum, item) => sum + item.value, 0)
  if (!total || box.w <= 0 || box.h <= 0)
    return placed
  const scale = box.w * box.h / total
  let rest = items.filter(item => item.value > 0).map(item => ({ item, area: item.value * scale }))
  let { x, y, w, h } = box
  while (rest.length) {
    const side = Math.min(w, h)
    // The worst aspect ratio in a row is its largest or its smallest cell's (each term is monotonic
    // in the area), so a row grows in constant time per cell: rows of thousands of modules occur.
    const worst = (sum: number, largest: number, smallest: number) =>
      Math.max(side * side * largest / (sum * sum), sum * sum / (side * side * smallest))
    let count = 1
    let sum = rest[0].area
    let largest = sum
    let smallest = sum
    while (count < rest.length) {
      const area = rest[count].area
      const grown = sum + area
      if (worst(grown, Math.max(largest, area), Math.min(smallest, area)) > worst(sum, largest, smallest))
        break
      sum = grown
      largest = Math.max(largest, area)
      smallest = Math.min(smallest, area)
      count++
    }
    const row = rest.slice(0, count)
    const thickness = sum / side
    let offset = 0
    for (const { item, area } of row) {
      const length = area / thickness
      placed.push(w >= h
        ? { ...item, x, y: y + offset, w: thickness, h: length }
        : { ...item, x: x + offset, y, w: length, h: thickness })
      offset += length
    }
    if (w >= h) {
      x += thickness
      w -= thickness
    }
    else {
      y += thickness
      h -= thickness
    }
    rest = rest.slice(row.length)
  }
  return placed
}

/** A package is one group; the app's own modules group by folder. */
function groupsOf(composition: Composition) {
  const groups = new Map<string, { name: string, kind: 'package' | 'source' | 'other', value: number, children: Item[] }>()
  for (const [key, module] of Object.entries(composition.modules)) {
    const kind = module.package ? 'package' : key.startsWith('(') || /^[\w-]+:/.test(key) ? 'other' : 'source'
    const name = module.package ?? (kind === 'other' ? '(bundler, virtual, unmapped)' : key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : './')
    const group = groups.get(name) ?? { name, kind, value: 0, children: [] }
    const inPackage = module.package ? key.slice(key.indexOf(module.package) + module.package.length + 1) : kind === 'other' ? key : key.slice(key.lastIndexOf('/') + 1)
    group.value += module.gzip
    group.children.push({ name: inPackage, value: module.gzip })
    groups.set(name, group)
  }
  return [...groups.values()].sort((a, b) => b.value - a.value).map(group => ({ ...group, children: group.children.sort((a, b) => b.value - a.value) }))
}

const escape = (text: string) => text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)
/** Position in percent of the parent box, the whole map by default. */
const at = ({ x, y, w, h }: Box, parent: Box = { x: 0, y: 0, w: WIDTH, h: HEIGHT }) => {
  const percent = (value: number, of: number) => `${(value / of * 100).toFixed(3)}%`
  return `left:${percent(x - parent.x, parent.w)};top:${percent(y - parent.y, parent.h)};width:${percent(w, parent.w)};height:${percent(h, parent.h)}`
}

/** The section of the HTML report; `null` composition says why there is none. */
export function treemapHtml(composition: Composition | null): string {
  if (!composition)
    return '<h2>What the first load is made of</h2>\n<p class="empty">No module sizes: this report was made from built files without source maps.</p>'
  const groups = groupsOf(composition)
  const total = groups.reduce((sum, group) => sum + group.value, 0)
  let packages = 0
  const boxes = squarify(groups, { x: 0, y: 0, w: WIDTH, h: HEIGHT }).map((group) => {
    const color = group.kind === 'package' ? `;background:${PACKAGE_COLORS[packages++ % PACKAGE_COLORS.length]}` : ''
    const labelled = group.w > 46 && group.h > HEADER + 4
    const inner = labelled ? { x: group.x + 2, y: group.y + HEADER, w: group.w - 4, h: group.h - HEADER - 2 } : { x: group.x, y: group.y, w: 0, h: 0 }
    const leaves = squarify(group.children, inner).map(leaf => `<div class="leaf" style="${at(leaf, group)}" title="${escape(`${group.name}/${leaf.name}\n~${formatSize(leaf.value)} gzip`)}">${leaf.w > 60 && leaf.h > 26 ? `<span>${escape(leaf.name)}<br>${formatSize(leaf.value)}</span>` : ''}</div>`)
    const title = `${group.name}\n~${formatSize(group.value)} gzip, ${Math.round(group.value / total * 100)}% of the first load's JS, ${group.children.length} module${group.children.length === 1 ? '' : 's'}`
    return `<div class="group ${group.kind}" style="${at(group)}${color}" title="${escape(title)}">${labelled ? `<div class="head">${escape(group.name)} <b>${formatSize(group.value)}</b></div>` : ''}${leaves.join('')}</div>`
  })
  return `<h2>What the first load is made of</h2>
<p class="meta">The first load's JS, ~${formatSize(total)} gzip, by package (<i class="sw package"></i>) and by source folder (<i class="sw source"></i>); each box is a module, sized by its share of the gzip size of the chunk it is in (${composition.from === 'build' ? 'from the bundler\'s rendered lengths' : 'from source maps'}). Hover for sizes.</p>
<div id="treemap" style="aspect-ratio:${WIDTH}/${HEIGHT}">
${boxes.join('\n')}
</div>`
}

/** Warm tones for packages, one each by size; the app's own folders are blue. */
const PACKAGE_COLORS = ['#d9822b', '#c2571a', '#b7791f', '#c05621', '#9c6644', '#d69e2e', '#b45309', '#a16207']

export const TREEMAP_STYLE = `#treemap { position: relative; width: 100%; background: #fff; font-size: 11px; border-radius: 4px; overflow: hidden }
#treemap .group, #treemap .leaf { position: absolute; box-sizing: border-box; overflow: hidden }
#treemap .group { border: 1px solid #fff; border-radius: 3px } #treemap .group.package { background: #e8a33d } #treemap .group.source { background: #4f86c6 } #treemap .group.other { background: #9aa0a6 }
#treemap .head { color: #fff; font-weight: 600; padding: 2px 5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; height: 14px } #treemap .head b { font-weight: 400; opacity: .9 }
#treemap .leaf { background: rgba(255,255,255,.22); border: 1px solid rgba(255,255,255,.55); color: #1d1f21; padding: 2px 4px; line-height: 1.25 } #treemap .leaf:hover { background: rgba(255,255,255,.45) }
#treemap .leaf span { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap }
.sw { display: inline-block; width: 11px; height: 11px; border-radius: 2px; vertical-align: -1px } .sw.package { background: #e8a33d } .sw.source { background: #4f86c6 }
`
