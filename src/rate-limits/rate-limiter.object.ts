import { DurableObject } from "cloudflare:workers";

const WINDOW_KEY = "window";

interface WindowState {
  /** Epoch milliseconds of the first counted request of the window. */
  startedAt: number;
  /** Epoch milliseconds at which the window closes and the count starts again at zero. */
  endsAt: number;
  count: number;
}

/** The outcome of one `hit`. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until the current window closes, at least 1, sent as `Retry-After`. */
  retryAfterSeconds: number;
  /** Start of the window that counted the hit, so `refund` never lowers a later window. */
  windowStartedAt: number;
}

/**
 * Fixed-window request counter for one key: one rule and one client IP, user, email address or
 * account. Workers reach it by `idFromName(key)`, so every isolate and location counts against
 * the same object. The window opens at the first hit and lasts `windowSeconds`. A client can
 * therefore make up to twice the limit in a short span across the boundary of two windows.
 *
 * Each method reads and writes storage without awaiting anything else, so the Durable Object's
 * input gate keeps concurrent calls from interleaving between the read and the write.
 */
export class RateLimiter extends DurableObject {
  /** Counts one request unless the window already contains `limit` of them. */
  async hit(limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    const now = Date.now();
    let state = await this.ctx.storage.get<WindowState>(WINDOW_KEY);
    if (!state || now >= state.endsAt) {
      state = { startedAt: now, endsAt: now + windowSeconds * 1000, count: 0 };
      // The alarm deletes the stored window, so idle keys leave no data behind.
      await this.ctx.storage.setAlarm(state.endsAt);
    }

    const retryAfterSeconds = Math.max(1, Math.ceil((state.endsAt - now) / 1000));
    const allowed = state.count < limit;
    if (allowed) {
      state.count += 1;
      await this.ctx.storage.put(WINDOW_KEY, state);
    }
    return { allowed, retryAfterSeconds, windowStartedAt: state.startedAt };
  }

  /** Takes back one counted hit of the window that began at `windowStartedAt`, if still open. */
  async refund(windowStartedAt: number): Promise<void> {
    const state = await this.ctx.storage.get<WindowState>(WINDOW_KEY);
    if (!state || state.startedAt !== windowStartedAt || state.count === 0) return;
    state.count -= 1;
    await this.ctx.storage.put(WINDOW_KEY, state);
  }

  override async alarm(): Promise<void> {
    const state = await this.ctx.storage.get<WindowState>(WINDOW_KEY);
    if (state && Date.now() < state.endsAt) {
      await this.ctx.storage.setAlarm(state.endsAt);
      return;
    }
    await this.ctx.storage.deleteAll();
  }
}
