/** Clock, sleep and retry backoff, injected so tests control time without real waiting. */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Waits `ms`; resolves early (without throwing) when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const systemClock: Clock = { now: () => Date.now() };

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** Exponential backoff with jitter: base * 2^attempt capped at max, then a random point in its upper half. */
export function backoffDelayMs(
  attempt: number,
  settings: { backoffBaseMs: number; backoffMaxMs: number },
  random: () => number,
): number {
  const ceiling = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
