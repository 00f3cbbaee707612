import type { PGlite } from "@electric-sql/pglite";
import type { PGLiteSocketServer } from "@electric-sql/pglite-socket";

// The internals of PGLiteSocketServer 0.2.17 (package.json pins that version) that are replaced
// here: one queue of protocol messages from every client, run one message at a time.
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData(data: Uint8Array): void;
  resolve(bytes: number): void;
  reject(error: unknown): void;
}

interface MessageQueue {
  db: PGlite;
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

const code = (letter: string) => letter.charCodeAt(0);
// Parse, Bind, Describe, Execute, Close and Flush open an extended-query exchange; Sync ends it.
const EXTENDED_QUERY_MESSAGES = new Set(["P", "B", "D", "E", "C", "H"].map(code));
const SYNC = code("S");
const SIMPLE_QUERY = code("Q");

/**
 * Makes the socket server run each client's extended-query exchange (Parse … Sync) without
 * other clients' messages in between. The stock queue only keeps transactions together, so two
 * clients' unnamed statements could interleave on the single PGlite backend and fail with
 * "bind message supplies 1 parameters, but prepared statement "" requires 2". It also stopped
 * the whole queue after one failed message; here the failure goes to that client only.
 */
export function keepExchangesTogether(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue: MessageQueue }).queryQueue;
  // The client whose extended-query exchange is open, or null between exchanges.
  let exchangeOwner: number | null = null;

  const takeNext = (): QueuedMessage | undefined => {
    const transactionOwner = queue.db.isInTransaction() ? queue.lastHandlerId : null;
    const owner = exchangeOwner ?? transactionOwner;
    if (owner === null) return queue.queue.shift();
    // Others wait until the owner's next message arrives and completes the exchange.
    const index = queue.queue.findIndex((item) => item.handlerId === owner);
    return index === -1 ? undefined : queue.queue.splice(index, 1)[0];
  };

  const run = async (item: QueuedMessage): Promise<void> => {
    const type = item.message[0]!;
    if (EXTENDED_QUERY_MESSAGES.has(type)) exchangeOwner = item.handlerId;
    if (type === SYNC || type === SIMPLE_QUERY) exchangeOwner = null;
    let bytes = 0;
    try {
      await queue.db.runExclusive(() =>
        queue.db.execProtocolRawStream(item.message, {
          onRawData: (data) => {
            bytes += data.length;
            item.onData(data);
          },
        }),
      );
      queue.lastHandlerId = item.handlerId;
      item.resolve(bytes);
    } catch (error) {
      item.reject(error);
    }
  };

  queue.processQueue = async () => {
    if (queue.processing) return;
    queue.processing = true;
    try {
      for (let item = takeNext(); item; item = takeNext()) await run(item);
    } finally {
      queue.processing = false;
    }
  };

  // A client that disconnects mid-exchange must not keep the others waiting.
  const clearTransaction = queue.clearTransactionIfNeeded.bind(queue);
  queue.clearTransactionIfNeeded = async (handlerId) => {
    if (exchangeOwner === handlerId) exchangeOwner = null;
    await clearTransaction(handlerId);
    await queue.processQueue();
  };
}
