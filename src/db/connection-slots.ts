/** How often a waiter checks for a free slot: sooner the closer it is to the front. */
const MIN_POLL_MS = 5;
const MAX_POLL_MS = 200;
/**
 * A waiter that has not checked for this long belongs to a request that ended or was
 * cancelled (workerd then stops its timers), so the next waiter drops it from the queue.
 */
const STALE_WAITER_MS = 5_000;

interface Ticket {
  lastCheck: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Counts the connections one isolate may open at once and lets the rest wait in arrival
 * order. Waiters poll instead of being woken by the request that frees a slot. Under workerd
 * 1.20260426 (wrangler 4.86), a waiter woken by a promise that another request resolved
 * failed with "Cannot perform I/O on behalf of a different request" as soon as it cleared
 * its own timer or opened its socket.
 */
export class ConnectionSlots {
  private free: number;
  private readonly queue: Ticket[] = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /**
   * Resolves with the function that frees the slot (safe to call more than once), or with
   * null when no slot came free within `timeoutMs`.
   */
  async acquire(timeoutMs: number): Promise<(() => void) | null> {
    const deadline = Date.now() + timeoutMs;
    const ticket: Ticket = { lastCheck: Date.now() };
    this.queue.push(ticket);
    try {
      for (;;) {
        ticket.lastCheck = Date.now();
        this.dropStaleWaiters();
        // A waiter that was delayed long enough to look stale lost its place: it queues again.
        if (!this.queue.includes(ticket)) this.queue.push(ticket);
        const ahead = this.queue.indexOf(ticket) - this.free;
        if (ahead < 0) {
          this.free--;
          return this.releaser();
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) return null;
        await sleep(Math.min(remaining, MAX_POLL_MS, MIN_POLL_MS * (ahead + 1)));
      }
    } finally {
      const index = this.queue.indexOf(ticket);
      if (index !== -1) this.queue.splice(index, 1);
    }
  }

  // TODO(#5): a slot is freed only when its socket emits `close`. It is not tested whether that
  // happens when workerd cancels the request that owns the socket. If not, the slot stays
  // taken until the isolate is recycled.
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.free++;
    };
  }

  private dropStaleWaiters(): void {
    const oldest = Date.now() - STALE_WAITER_MS;
    for (let index = this.queue.length - 1; index >= 0; index--) {
      if (this.queue[index]!.lastCheck < oldest) this.queue.splice(index, 1);
    }
  }
}
