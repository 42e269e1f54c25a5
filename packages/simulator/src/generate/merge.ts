/** Merging time-ordered streams into one time-ordered stream, lazily. */

interface Head<T> {
  item: T;
  atMs: number;
  /** Stream position breaks ties, so equal times come out in a fixed order. */
  order: number;
  rest: Iterator<T>;
}

function before<T>(a: Head<T>, b: Head<T>): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
}

/**
 * Yields every item of every stream in non-decreasing `timeOf` order; each stream must
 * itself be in that order. Holds one pending item per stream (a binary heap of heads).
 */
export function* mergeByTime<T>(streams: Iterable<Iterable<T>>, timeOf: (item: T) => number): Generator<T> {
  const heap: Head<T>[] = [];

  const push = (head: Head<T>) => {
    heap.push(head);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };

  const popMin = (): Head<T> => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  };

  const advance = (rest: Iterator<T>, order: number) => {
    const next = rest.next();
    if (!next.done) push({ item: next.value, atMs: timeOf(next.value), order, rest });
  };

  let order = 0;
  for (const stream of streams) advance(stream[Symbol.iterator](), order++);
  while (heap.length > 0) {
    const head = popMin();
    yield head.item;
    advance(head.rest, head.order);
  }
}
