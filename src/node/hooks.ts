// Node module loader hooks (run in the loader's own thread). A URL such as
// file:///app/dist/charts-x1y2.zip/assets/bar.js names the entry assets/bar.js of that archive, so
// relative imports and import.meta.url inside archived code work as they would loose. A relative
// import of a chunk the archive does not hold resolves to the loose file beside the archive.
import type { InitializeHook, LoadHook, ResolveHook } from 'node:module'
import type { MessagePort } from 'node:worker_threads'
import type { ZipEntry } from '../runtime/zip'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { remember } from '../runtime/remember'
import { parseZip, readEntry } from '../runtime/zip'

type Opened = { bytes: Uint8Array, entries: Map<string, ZipEntry> }
const archives = new Map<string, Promise<Opened | undefined>>()

export const initialize: InitializeHook<{ port: MessagePort }> = ({ port }) => {
  // Archives the runtime has checked against its build's digests arrive here, bytes and all.
  port.on('message', ({ id, archive, bytes, entries }: { id: number } & Opened & { archive: string }) => {
    archives.set(archive, Promise.resolve({ bytes, entries }))
    port.postMessage(id)
  })
  port.unref()
}

/** `[archive URL, entry, archive]` for a URL inside a `.zip` file that exists, else undefined. */
async function locate(url: string): Promise<[string, string, Opened] | undefined> {
  const match = /^(file:\/\/[^?#]*?\.zip)\/([^?#]+)/.exec(url)
  if (!match)
    return undefined
  const [, archive, entry] = match
  // An archive imported directly, not through the runtime: its CRC-32s are all there is to check.
  const zip = await remember(archives, archive, () => readFile(fileURLToPath(archive)).then(
    bytes => ({ bytes, entries: parseZip(bytes, archive) }),
    // Not a file: a folder that happens to end in .zip is no archive.
    error => error.code === 'ENOENT' || error.code === 'EISDIR' || error.code === 'ENOTDIR' ? undefined : Promise.reject(error),
  ))
  return zip && [archive, decodeURIComponent(entry), zip]
}

export const resolve: ResolveHook = async (specifier, context, next) => {
  const relative = /^\.{1,2}\//.test(specifier) && context.parentURL?.includes('.zip/')
  const url = relative ? new URL(specifier, context.parentURL).href : specifier
  const inside = (relative || url.startsWith('file:')) && await locate(url)
  if (!inside)
    return next(specifier, context)
  const [archive, entry, { entries }] = inside
  if (entries.has(entry))
    return { url, format: 'module', shortCircuit: true }
  return next(new URL(entry, new URL('./', archive)).href, context)
}

export const load: LoadHook = async (url, context, next) => {
  const inside = await locate(url)
  if (!inside)
    return next(url, context)
  const [archive, name, { bytes, entries }] = inside
  const source = await readEntry(bytes, entries.get(name)!, archive)
  return { format: 'module', source: Buffer.from(source), shortCircuit: true }
}
