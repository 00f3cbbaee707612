import type { Request } from "autocannon";

/**
 * Why the token of a request cannot live in autocannon's `context` alone (autocannon 8.0.0,
 * lib/httpClient.js and lib/requestIterator.js):
 *
 * - The context is reset before every request of a one-request list, and `onResponse` only runs
 *   for a request that got its response. A timeout, a socket error or a socket closed by the
 *   server makes the client reconnect and build its next request at once, so the token of the
 *   unanswered request is never seen again.
 * - When a run ends, `client.destroy()` drops the response of every request still in flight.
 *   A pool that takes tokens back only in `onResponse` thus loses one token per connection and
 *   run, and with one token per connection the second run starts with an empty pool.
 *
 * So each connection owns its token in a `ConnectionSlot`, and `settleRun` hands the tokens of
 * finished runs back.
 */
interface ConnectionSlot {
  token?: string;
  /** True from sending a request until its response or until the request is written off. */
  awaiting: boolean;
}

/** Counts of one pool's use, so a run can show that no token was shared or replayed. */
export interface TokenUsage {
  requests: number;
  distinctTokens: number;
  /** Requests sent with a token that another request in flight also carried. */
  overlaps: number;
  /** Requests sent with a token that had already been rotated or written off. */
  replays: number;
  /** Requests that got no response, so that `nextToken` decided about their token blind. */
  unanswered: number;
  /** Requests sent with `EMPTY_POOL_TOKEN` because the pool had no token left. */
  emptyPool: number;
  tokensLeft: number;
}

export interface TokenPool {
  /** The request list for autocannon's `requests` option. Reuse it for every run. */
  requests: Request[];
  /** Writes off the requests that the finished run left in flight and returns all tokens. */
  settleRun: () => void;
  usage: () => TokenUsage;
}

/** Token sent when the pool is empty. The server rejects it, so the shortage shows as a 401. */
export const EMPTY_POOL_TOKEN = "token-pool-empty";

/** The key of the per-connection slot on a request (see `slotTemplate` below). */
const SLOT_KEY = "tokenPoolSlot";

/**
 * Builds an autocannon request list in which each connection takes a token from `tokens`,
 * sends it, and replaces it with the token that `nextToken` reads from the response. Two
 * connections never hold the same token: when the pool is empty, a connection sends
 * `EMPTY_POOL_TOKEN` instead.
 *
 * `nextToken` returns `undefined` to drop a token, and is called with status 0 and an empty body
 * for a request that got no response: for a rotating refresh token that must return
 * `undefined`, because the server may have rotated it.
 */
export function createTokenPool(
  tokens: string[],
  build: (token: string) => Omit<Request, "setupRequest" | "onResponse">,
  nextToken: (token: string, status: number, body: string) => string | undefined,
): TokenPool {
  const pool = [...tokens];
  const slots = new Set<ConnectionSlot>();
  const tracker = new UsageTracker();

  const release = (slot: ConnectionSlot, status: number, body: string) => {
    const sent = slot.token;
    slot.awaiting = false;
    slot.token = undefined;
    if (sent === undefined || sent === EMPTY_POOL_TOKEN) return;
    tracker.finished(sent);
    const next = nextToken(sent, status, body);
    if (next !== sent) tracker.retire(sent);
    if (next !== undefined) slot.token = next;
  };

  const acquire = (slot: ConnectionSlot): string => {
    slots.add(slot);
    if (slot.awaiting) {
      tracker.unanswered++;
      release(slot, 0, "");
    }
    slot.token ??= pool.pop();
    slot.awaiting = true;
    const token = slot.token ?? EMPTY_POOL_TOKEN;
    tracker.sent(token);
    return token;
  };

  // autocannon 8 deep-clones its options (lodash.clonedeep) for every connection, functions
  // excepted, so each connection gets its own copy of this object on its request.
  // NOTE: relies on that clone. If a later autocannon shares the request objects, every
  // connection gets the same slot, `usage().unanswered` nears the request count, and
  // `npm run bench:http -- --check` fails.
  const slotTemplate: ConnectionSlot = { awaiting: false };
  const request: Request & { [SLOT_KEY]: ConnectionSlot } = {
    [SLOT_KEY]: slotTemplate,
    setupRequest: (built: Request, context: object) => {
      const slot = (built as { [SLOT_KEY]: ConnectionSlot })[SLOT_KEY];
      (context as { slot?: ConnectionSlot }).slot = slot;
      return { ...built, ...build(acquire(slot)) };
    },
    onResponse: (status: number, body: string, context: object) => {
      const slot = (context as { slot?: ConnectionSlot }).slot;
      if (slot?.awaiting) release(slot, status, body);
    },
  };

  const settleRun = () => {
    for (const slot of slots) {
      if (slot.awaiting) {
        tracker.unanswered++;
        release(slot, 0, "");
      }
      if (slot.token !== undefined) pool.push(slot.token);
    }
    slots.clear();
  };

  return {
    requests: [request],
    settleRun,
    usage: () => ({ ...tracker.counts(), tokensLeft: pool.length }),
  };
}

/** Counts sends per token, to detect a token in two requests at once or sent after rotation. */
class UsageTracker {
  unanswered = 0;
  private requests = 0;
  private overlaps = 0;
  private replays = 0;
  private emptyPool = 0;
  private readonly inFlight = new Map<string, number>();
  private readonly retired = new Set<string>();
  private readonly seen = new Set<string>();

  sent(token: string): void {
    this.requests++;
    if (token === EMPTY_POOL_TOKEN) {
      this.emptyPool++;
      return;
    }
    this.seen.add(token);
    if (this.retired.has(token)) this.replays++;
    const count = this.inFlight.get(token) ?? 0;
    if (count > 0) this.overlaps++;
    this.inFlight.set(token, count + 1);
  }

  finished(token: string): void {
    const count = this.inFlight.get(token) ?? 0;
    if (count <= 1) this.inFlight.delete(token);
    else this.inFlight.set(token, count - 1);
  }

  retire(token: string): void {
    this.retired.add(token);
  }

  counts(): Omit<TokenUsage, "tokensLeft"> {
    return {
      requests: this.requests,
      distinctTokens: this.seen.size,
      overlaps: this.overlaps,
      replays: this.replays,
      unanswered: this.unanswered,
      emptyPool: this.emptyPool,
    };
  }
}

/** Formats `usage` as one line, with a WARNING when a token was shared, replayed or missing. */
export function describeTokenUsage(label: string, usage: TokenUsage): string {
  const line =
    `${label} token pool: ${usage.requests} requests, ${usage.distinctTokens} distinct tokens, ` +
    `${usage.overlaps} overlaps, ${usage.replays} replays, ${usage.unanswered} unanswered, ` +
    `${usage.emptyPool} sent with an empty pool, ${usage.tokensLeft} tokens left`;
  const broken = usage.overlaps + usage.replays + usage.emptyPool > 0;
  return broken ? `WARNING: ${line}` : line;
}
