import type { Bindings } from "../env";
import { createLogger } from "../lib/logger";

/** Sends each queue batch to the consumer of its queue. */
export async function handleQueueBatch(
  batch: MessageBatch<unknown>,
  _env: Bindings,
  _ctx: ExecutionContext,
): Promise<void> {
  const logger = createLogger({ queue: batch.queue });
  logger.error("no consumer for queue", { messages: batch.messages.length });
  batch.retryAll();
}
