// The memory loader for builds with `compression: 'deflate'`: the stored-only one plus the glue
// around the platform's DecompressionStream, which stored builds never download.
import type { MemoryModule } from '../contract'
import { createMemoryLoader as storedOnly } from './memory'
import { readEntry } from './zip'

export const createMemoryLoader: MemoryModule['createMemoryLoader'] = source => storedOnly(source, readEntry)
