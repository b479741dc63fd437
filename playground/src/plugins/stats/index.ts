// A package: `plugins/stats` is this folder's index, and may import its own files.
import type { PluginMeta, PluginModule } from '../../contracts'
import { summarize } from './summary'

export const meta = { title: 'Statistics', description: 'Total, mean, best and worst month.' } satisfies PluginMeta

export const mount: PluginModule['mount'] = (panel, { data, format, t }) => {
  const { total, mean, best, worst } = summarize(data)
  const rows: [string, string][] = [
    [t('total'), format.number(total)],
    [t('mean'), format.number(mean)],
    [t('best'), `${format.month(best.month)} (${format.number(best.value)})`],
    [t('worst'), `${format.month(worst.month)} (${format.number(worst.value)})`],
  ]
  const list = document.createElement('dl')
  for (const [term, value] of rows) {
    const dt = document.createElement('dt')
    const dd = document.createElement('dd')
    dt.textContent = term
    dd.textContent = value
    list.append(dt, dd)
  }
  panel.replaceChildren(list)
}
