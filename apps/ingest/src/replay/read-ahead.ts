/**
 * Read-ahead for the replay's second pass: the next messages are read back
 * and validated while the database works on the one being applied. On
 * PostgreSQL a write is a wait on the server, during which this process would
 * otherwise sit idle; on SQLite a write does not wait, and nothing changes.
 *
 * Invariants: items come out in the source's order, each once; at most
 * `depth` are pulled ahead of the one the consumer has; an error of the
 * source reaches the consumer at the item where it happened (the items
 * before it first); stopping early ends the source (its `finally` runs).
 */

/** How many messages the replay reads ahead: a few exacta grids' worth of memory (about 40 KB each). */
export const READ_AHEAD = 16;

export async function* readAhead<T>(source: AsyncIterable<T>, depth = READ_AHEAD): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Promise<IteratorResult<T>>[] = [];
  const pull = () => {
    const next = iterator.next();
    // Awaited in turn below; until then a failure must not count as unhandled.
    next.catch(() => {});
    pending.push(next);
  };
  let finished = false;
  try {
    pull();
    for (;;) {
      // An async generator runs its next() calls one after another, in order.
      while (pending.length < depth + 1) pull();
      const result = await pending.shift()!;
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } catch (error) {
    finished = true;
    throw error;
  } finally {
    // Stopped early: end the source (after the pulls in flight, which it runs first).
    if (!finished) await iterator.return?.();
  }
}
