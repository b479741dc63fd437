import type { Options } from '../types'
import { resolve } from 'node:path'

export interface ResolvedOptions {
  modules: Record<string, string>
  attribute: string
  manifest: string | false
  archives: Record<string, string[]> | true | undefined
  compression: 'store' | 'deflate'
  keepLooseChunks: boolean
  root: string
}

export function resolveOptions(options: Options = {}, fallbackRoot = process.cwd()): ResolvedOptions {
  const attribute = options.attribute ?? 'lazy'
  if (!/^[A-Za-z_$][\w$]*$/.test(attribute))
    throw new Error(`[lazy-modules] option \`attribute\` must be an identifier, got ${JSON.stringify(attribute)}.`)
  for (const [name, source] of Object.entries(options.modules ?? {})) {
    if (typeof source !== 'string' || !source)
      throw new Error(`[lazy-modules] option \`modules[${JSON.stringify(name)}]\` must be a non-empty string.`)
    if (name.split('*').length > 2)
      throw new Error(`[lazy-modules] module name pattern ${JSON.stringify(name)} may hold one \`*\` at most.`)
  }
  if (options.compression && options.compression !== 'store' && options.compression !== 'deflate')
    throw new Error(`[lazy-modules] option \`compression\` must be 'store' or 'deflate', got ${JSON.stringify(options.compression)}.`)
  return {
    modules: { ...options.modules },
    attribute,
    manifest: options.manifest ?? 'lazy-manifest.json',
    archives: options.archives || undefined,
    compression: options.compression ?? 'store',
    keepLooseChunks: options.keepLooseChunks ?? false,
    root: resolve(options.root ?? fallbackRoot),
  }
}
