// A tiny bounded worker pool: at most `limit` tasks at once over an iterable (sync or async),
// taking the next item only when a worker is free, so memory stays flat for any list size.

/**
 * Runs `work` over `items` with at most `limit` running. Stops taking new items once `stop()`
 * says so (a signal, a run-ending error); the first error that `isFatal` accepts is thrown
 * after the running tasks end.
 */
export async function runPool<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T, worker: number) => Promise<void>,
  options: { signal?: AbortSignal; isFatal?: (error: unknown) => boolean } = {},
): Promise<void> {
  const iterator: Iterator<T> | AsyncIterator<T> = Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]();
  let fatal: { error: unknown } | null = null;
  let pulling: Promise<unknown> = Promise.resolve();
  // One pull at a time: async iterators (a directory walk) must not be advanced concurrently.
  const next = (): Promise<IteratorResult<T>> => {
    const result = pulling.then(() => iterator.next());
    pulling = result.catch(() => undefined);
    return result;
  };
  const worker = async (index: number): Promise<void> => {
    for (;;) {
      if (fatal || options.signal?.aborted) return;
      const step = await next();
      if (step.done) return;
      try {
        await work(step.value, index);
      } catch (error) {
        if (options.isFatal && !options.isFatal(error)) continue;
        fatal ??= { error };
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, (_, i) => worker(i)));
  if (fatal) throw (fatal as { error: unknown }).error;
}
