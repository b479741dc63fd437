// Facts about a file's bytes that the manifest, the archives and the Node hooks record.
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { Size } from '../types'

/** Subresource-integrity digest, as browsers and the runtime's zip reader check it. */
export function integrityOf(code: string | Uint8Array): string {
  return `sha384-${createHash('sha384').update(code).digest('base64')}`
}

/** `gzip`: the gzip size when it is known already (measured by an earlier build). */
export function sizeOf(code: string | Uint8Array, gzip?: number): Size {
  return { raw: Buffer.byteLength(code), gzip: gzip ?? gzipSync(code, { level: 9 }).length }
}
