/** Runs async work with at most `limit` calls in flight; the rest wait in arrival order. */
export type Limiter = <T>(work: () => Promise<T>) => Promise<T>;

/** Creates a limiter that allows `limit` concurrent calls (1 makes it a mutex). */
export function createLimiter(limit: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];

  return async (work) => {
    // A finishing call hands its slot straight to the next waiter, so `active` never drops
    // below the limit in between and lets a newcomer jump the queue.
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
