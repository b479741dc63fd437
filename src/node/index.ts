// `unplugin-lazy-modules/node`: lets Node run archived chunks straight from their zip, through its
// module loader hooks. Import it first: `node --import unplugin-lazy-modules/node server.js`.
import { readFile } from 'node:fs/promises'
import { register } from 'node:module'
import { fileURLToPath } from 'node:url'
import { MessageChannel } from 'node:worker_threads'
import { NODE_HOOKS_KEY } from '../contract'
import { integrityOf } from '../core/bytes'
import { parseZip, readEntry } from '../runtime/zip'

const { port1, port2 } = new MessageChannel()
register('./hooks.mjs', { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] })

let sent = 0
const replies = new Map<number, () => void>()
port1.on('message', (id: number) => {
  replies.get(id)?.()
  replies.delete(id)
})
// Listening refs the port; it must not keep the process alive once the app is done.
port1.unref()

/** What went wrong, as plain facts: the runtime raises its own error classes from them. */
export type Refusal =
  | { name: 'IntegrityError', source: string, entry: string | undefined, expected: string, actual: string }
  | { name: 'ArchiveFormatError', archive: string, entry: string | undefined, reason: string }

/**
 * Checks an archive against the digests its build recorded (the whole file, then every entry),
 * here in the app's thread so failures reach the caller as typed errors. The loader hooks then
 * serve exactly these checked bytes, so nothing can swap the file in between.
 */
async function trust(archive: string, digests: { archive: string, entries: Record<string, string> }): Promise<Refusal | undefined> {
  const bytes = new Uint8Array(await readFile(fileURLToPath(archive)))
  const actual = integrityOf(bytes)
  if (actual !== digests.archive)
    return { name: 'IntegrityError', source: archive, entry: undefined, expected: digests.archive, actual }
  let entries
  try {
    entries = parseZip(bytes, archive)
    for (const entry of entries.values()) {
      if (!entry.name.endsWith('/'))
        await readEntry(bytes, entry, archive, digests.entries[entry.name])
    }
  }
  catch (error: any) {
    if (error.name === 'IntegrityError' || error.name === 'ArchiveFormatError')
      return { ...error, name: error.name }
    throw error
  }
  const id = ++sent
  await new Promise<void>((resolve) => {
    replies.set(id, resolve)
    port1.ref()
    // The entries as parsed here go along, so the hooks need not parse the archive again.
    port1.postMessage({ id, archive, bytes, entries }, [bytes.buffer])
  }).finally(() => port1.unref())
}

;(globalThis as any)[Symbol.for(NODE_HOOKS_KEY)] = { trust }
