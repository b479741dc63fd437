// Loads archived chunks. The runtime imports this file only when an archived module is first used,
// so apps without archives never download it.
import type { ArchiveInfo } from '../types'
import { ArchiveFormatError } from './errors'
import { parseZip, readEntry } from './zip'
import type { ZipEntry } from './zip'

type Opened = [bytes: Uint8Array, entries: Map<string, ZipEntry>]

/**
 * `urlOf(file)` gives the URL a file of the output folder has (or would have, loose). Each archive
 * is fetched once; each entry gets one URL, so a chunk two modules import is one instance.
 */
export function createArchiveLoader(archives: Record<string, ArchiveInfo>, urlOf: (file: string) => string, fetchArchive: (url: string) => Promise<ArrayBuffer>) {
  const opened = new Map<string, Promise<Opened>>()
  const urls = new Map<string, Promise<string>>()

  function open(name: string): Promise<Opened> {
    return remember(opened, name, async () => {
      const url = urlOf(archives[name].file)
      const bytes = new Uint8Array(await fetchArchive(url))
      // The whole structure is checked before anything from it runs.
      return [bytes, new Map(parseZip(bytes, url).map(entry => [entry.name, entry]))]
    })
  }

  function entryUrl(name: string, file: string): Promise<string> {
    return remember(urls, `${name}\0${file}`, async () => {
      const [bytes, entries] = await open(name)
      const archive = urlOf(archives[name].file)
      const expected = archives[name].entries[file]
      const entry = entries.get(file)
      if (!entry)
        throw new ArchiveFormatError(archive, file, 'no such entry')
      // The build's sha-384 decides: an archive rewritten to be self-consistent still fails it.
      const code = new TextDecoder().decode(await readEntry(bytes, entry, archive, expected.integrity))
      // Every link's URL first (archived imports get theirs, in memory), then filled in from the end
      // so earlier offsets stay true. The build found the offsets: nothing here reads the code.
      const links = expected.links
      const targets = await Promise.all(links.map(([, , target, inArchive]) =>
        !target ? JSON.stringify(urlOf(file)) : inArchive ? entryUrl(name, target) : urlOf(target)))
      let linked = code
      for (let i = links.length; i--;)
        linked = linked.slice(0, links[i][0]) + targets[i] + linked.slice(links[i][1])
      return moduleUrl(`${linked}\n//# sourceURL=${urlOf(file)}\n`)
    })
  }

  return {
    /** Fetches and checks the archive, running nothing. */
    prefetch: (name: string) => open(name).then(() => {}),
    importEntry: (name: string, file: string) => entryUrl(name, file).then(url => import(/* @vite-ignore */ url)),
  }
}

/** One shared promise per key; a failure is forgotten, so the next call tries again. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let promise = cache.get(key)
  if (!promise) {
    cache.set(key, promise = make())
    promise.catch(() => cache.delete(key))
  }
  return promise
}

function moduleUrl(code: string): string {
  // Node's module loader refuses blob: URLs but takes data: URLs, which may import file: URLs.
  if (typeof document === 'undefined' && typeof process !== 'undefined')
    return `data:text/javascript;charset=utf-8,${encodeURIComponent(code)}`
  return URL.createObjectURL(new Blob([code], { type: 'text/javascript' }))
}
