/** Calls that wait on I/O, several under way at once: the client's one pool of that shape. */

/** `fn` for every item, started in order with at most `width` under way; a call that throws fails the whole (the rest still under way run out). */
export async function eachAtMost<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** A gate for sections that may run at most `width` at once: `run(fn)` waits for a place, runs `fn`, and frees the place whatever `fn` did. */
export function atMost(width: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    while (active >= width) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
