import { createLogger } from "../lib/logger";

/** How often a waiter checks for a free slot: sooner the closer it is to the front. */
const MIN_POLL_MS = 5;
const MAX_POLL_MS = 200;
/** Interval of the timer by which the request that owns a slot marks the slot as in use. */
const HEARTBEAT_MS = 1_000;
/**
 * A waiter or slot owner whose timer has not run for this long belongs to a request that ended
 * or was cancelled, because workerd 1.20260426 stops a request's timers together with the
 * request. The next waiter then removes the waiter from the queue or frees the owner's slot.
 * NOTE: synchronous work that blocks the isolate for this long also delays the timers, so a
 * live owner can lose its slot and the isolate briefly has one connection over the maximum.
 */
const STALE_TICKET_MS = 5_000;

interface Ticket {
  lastCheck: number;
}

interface Lease {
  lastBeat: number;
  released: boolean;
}

const logger = createLogger({ component: "connection_slots" });

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
  private readonly leases = new Set<Lease>();

  constructor(readonly size: number) {
    this.free = size;
  }

  /**
   * Resolves with the function that frees the slot (safe to call more than once), or with
   * null when no slot came free within `timeoutMs`. Call that function from the request that
   * acquired the slot, because the slot's heartbeat timer belongs to that request.
   */
  async acquire(timeoutMs: number): Promise<(() => void) | null> {
    const deadline = Date.now() + timeoutMs;
    const ticket: Ticket = { lastCheck: Date.now() };
    this.queue.push(ticket);
    try {
      for (;;) {
        ticket.lastCheck = Date.now();
        this.dropStaleTickets();
        // A waiter that was delayed long enough to look stale lost its place: it queues again.
        if (!this.queue.includes(ticket)) this.queue.push(ticket);
        const ahead = this.queue.indexOf(ticket) - this.free;
        if (ahead < 0) {
          this.free--;
          return this.lease();
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

  /**
   * Records a taken slot and starts its heartbeat. The socket's `close` event normally frees
   * the slot. When workerd cancels the request, for example because the client disconnected,
   * no more of its code runs and its timers stop, so `dropStaleTickets` frees the slot once
   * the heartbeat has been silent for STALE_TICKET_MS.
   */
  private lease(): () => void {
    const lease: Lease = { lastBeat: Date.now(), released: false };
    this.leases.add(lease);
    const heartbeat = setInterval(() => {
      lease.lastBeat = Date.now();
    }, HEARTBEAT_MS);
    return () => {
      clearInterval(heartbeat);
      this.endLease(lease);
    };
  }

  private endLease(lease: Lease): void {
    if (lease.released) return;
    lease.released = true;
    this.leases.delete(lease);
    this.free++;
  }

  private dropStaleTickets(): void {
    const oldest = Date.now() - STALE_TICKET_MS;
    for (let index = this.queue.length - 1; index >= 0; index--) {
      if (this.queue[index]!.lastCheck < oldest) this.queue.splice(index, 1);
    }
    for (const lease of this.leases) {
      if (lease.lastBeat >= oldest) continue;
      // workerd closed the socket when it cancelled the owner's request. The owner's interval
      // stays as it is, because one request cannot clear another request's timer.
      this.endLease(lease);
      logger.warn("stale connection slot freed", {
        silent_ms: Date.now() - lease.lastBeat,
        max_connections: this.size,
      });
    }
  }
}
