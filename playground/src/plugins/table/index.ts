import type { PluginMeta, PluginModule } from '../../contracts'

export const meta = { title: 'Data table', description: 'Every month and its value.' } satisfies PluginMeta

export const mount: PluginModule['mount'] = (panel, { data, format, t }) => {
  const table = document.createElement('table')
  const head = table.createTHead().insertRow()
  for (const key of ['month', 'value'] as const)
    head.append(Object.assign(document.createElement('th'), { textContent: t(key) }))
  const body = table.createTBody()
  for (const d of data) {
    const row = body.insertRow()
    row.insertCell().textContent = format.month(d.month)
    Object.assign(row.insertCell(), { textContent: format.number(d.value), className: 'number' })
  }
  panel.replaceChildren(table)
}
