import type { Strings } from '../i18n'
import { t } from '../i18n'

type Child = Node | string | null | undefined | false

/** `h('button', { class: 'x' }, 'Load')`: a tiny element builder. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [key, value] of Object.entries(attributes))
    element.setAttribute(key, value)
  element.append(...children.filter((child): child is Node | string => !!child))
  return element
}

/** A UI string that follows the locale (`setLocale` rewrites every `[data-i18n]`). */
export function text(key: keyof Strings): HTMLSpanElement {
  return h('span', { 'data-i18n': key }, t(key))
}

/** Bytes as `12.3 kB`. */
export function bytes(count: number): string {
  return count < 1000 ? `${count} B` : `${(count / 1000).toFixed(1)} kB`
}
