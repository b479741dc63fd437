// Its own file, so the runtime's entry chunk can share it without pulling in the zip reader.

/** One shared promise per key; a failure is forgotten, so the next call tries again. */
export function remember<K, T>(cache: Map<K, Promise<T>>, key: K, make: () => Promise<T>): Promise<T> {
  let promise = cache.get(key)
  if (!promise) {
    cache.set(key, promise = make())
    promise.catch(() => cache.delete(key))
  }
  return promise
}
