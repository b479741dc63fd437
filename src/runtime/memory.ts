// Runs chunks from memory: archived chunks always, and loose chunks when a retry must get around a
// failed fetch that the browser keeps for its URL. The runtime imports this file only when first
// needed, so apps that never use it never download it.
import type { MemoryLoader, MemorySource } from '../contract'
import type { ZipEntry } from './zip'
import { ArchiveFormatError } from './check-errors'
import { decode, moduleUrl, parseZip, readStoredEntry, verifyIntegrity } from './zip'

type Opened = [bytes: Uint8Array, entries: Map<string, ZipEntry>, url: string]

/**
 * Each chunk gets one URL, so a chunk several modules import is one instance: its real URL while
 * nothing is wrong with it, else an in-memory one, kept for the page's life once it ran. Only chunks
 * that never ran get an in-memory URL (a failed import runs nothing of its graph), so no module runs
 * twice. Archives are read stored-only unless `read` inflates: the build picks `memory-deflate` for that.
 * One closure past the usual length: its few functions share the loader's URLs and parsed archives,
 * and a closure minifies smaller than a class, which every browser that uses archives downloads.
 */
export function createMemoryLoader({ chunks, urlOf, fetchBytes, archiveBytes, ran }: MemorySource, read = readStoredEntry): MemoryLoader {
  // Keyed by the runtime's fetch, which it forgets when it fails: a new fetch is parsed anew.
  const opened = new WeakMap<Promise<ArrayBuffer>, Promise<Opened>>()
  /** In-memory URLs by chunk, kept until `forget`; whatever imports such a chunk must link to it. */
  const urls = new Map<string, Promise<string>>()
  /** Chunks that other chunks import. */
  const linked = new Set(Object.values(chunks).flatMap(({ links = [] }) => links.map(([, , target]) => target)))

  function open(name: string): Promise<Opened> {
    const [url, fetched] = archiveBytes(name)
    let parsed = opened.get(fetched)
    if (!parsed) {
      // The whole structure is checked before anything from it runs.
      opened.set(fetched, parsed = fetched.then((buffer) => {
        const bytes = new Uint8Array(buffer)
        return [bytes, parseZip(bytes, url), url]
      }))
    }
    return parsed
  }

  async function bytesOf(file: string, attempt: number): Promise<Uint8Array> {
    // The runtime gives every chunk here its digest, its own or its module's.
    const { archive, integrity = '' } = chunks[file]
    if (archive) {
      const [bytes, entries, url] = await open(archive)
      const entry = entries.get(file)
      if (!entry)
        throw new ArchiveFormatError(url, file, 'no such entry')
      // The build's sha-384 decides: an archive rewritten to be self-consistent still fails it.
      return read(bytes, entry, url, integrity)
    }
    // A new query string gets past both the HTTP cache and the failure kept for the old URL.
    const url = urlOf(file)
    const bytes = new Uint8Array(await fetchBytes(`${url}?retry=${attempt}`))
    await verifyIntegrity(bytes, integrity, url)
    return bytes
  }

  /** Archived chunks, and on a retry loose ones that never ran, come from memory. */
  function fromMemory(file: string, retrying: boolean): boolean {
    const facts = chunks[file]
    return !!facts && (!!facts.archive || (retrying && !ran.has(file) && !!facts.links))
  }

  function urlFor(file: string, attempt: number): string | Promise<string> {
    let url = urls.get(file)
    if (!url) {
      if (!fromMemory(file, attempt > 1))
        return urlOf(file)
      urls.set(file, url = (async () => {
        let code = decode(await bytesOf(file, attempt))
        // Every link's URL first, then filled in from the end so earlier offsets stay true. The build
        // found the offsets: nothing here reads the code.
        const links = chunks[file].links!
        const targets = await Promise.all(links.map(([, , target]) => target ? urlFor(target, attempt) : JSON.stringify(urlOf(file))))
        for (let i = links.length; i--;)
          code = code.slice(0, links[i][0]) + targets[i] + code.slice(links[i][1])
        code = `${code}\n//# sourceURL=${urlOf(file)}\n`
        // A data: URL is the cheapest to make and to import (a Blob URL's chunk arrives a task later,
        // and holds up its importers), but each importer carries it whole in its own: a chunk that
        // others import gets a short Blob URL instead once its data: URL is long (bench/archives.md).
        const url = moduleUrl(code)
        return linked.has(file) && url.length > 1e4 ? URL.createObjectURL(new Blob([code], { type: 'text/javascript' })) : url
      })())
    }
    return url
  }

  return {
    prefetch: open,
    async importFile(file, attempt) {
      // Links unknown (the build could not find them all): at least the chunk itself is fetched anew.
      // The URL is settled first: some bundlers wrap `import()` in a function that is not async.
      const url = attempt > 1 && !fromMemory(file, true) ? `${urlOf(file)}?retry=${attempt}` : await urlFor(file, attempt)
      return import(/* @vite-ignore */ url)
    },
    forget(files) {
      for (const file of files) {
        if (!ran.has(file))
          urls.delete(file)
      }
    },
    holds: files => [...files].some(file => urls.has(file)),
  }
}
