// How numbers and lists read in the report's messages, its table and the CLI.

/** As Vite prints sizes: bytes below 1 kB, then kB and MB of 1000. */
export function formatSize(bytes: number | null): string {
  return bytes === null ? '–' : bytes < 1000 ? `${bytes} B` : bytes < 1e6 ? `${(bytes / 1e3).toFixed(2)} kB` : `${(bytes / 1e6).toFixed(2)} MB`
}

/** `plural(1, 'file')` is `1 file`, `plural(2, 'entry', 'entries')` is `2 entries`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`
}

/** The first `most` items, then how many more. */
export function list(items: string[], most: number): string {
  return items.length > most ? `${items.slice(0, most).join(', ')} and ${items.length - most} more` : items.join(', ')
}

/** Why a module's `loads` leave the plugin's own lazy code out, as every view says it. */
export const PLUGIN_LAZY_NOTE = 'the plugin\'s own lazy code, fetched once a page: its recovery runtime in the background with the first lazy load, its facts and archive loader with the first archived load, retry or preload()'
