import type { Bindings } from "../env";
import { createLogger, describeError } from "../lib/logger";
import { consumeDocuments } from "./documents.consumer";
import { consumeDocumentDeadLetters } from "./documents-dlq.consumer";
import { consumeEmails } from "./emails.consumer";
import { consumeEmailDeadLetters } from "./emails-dlq.consumer";

type Consumer = (batch: MessageBatch<unknown>, env: Bindings) => Promise<void>;

/** Consumers by queue name, as wrangler.toml declares the queues. */
const CONSUMERS: Record<string, Consumer> = {
  "kms-documents": consumeDocuments,
  "kms-documents-dlq": consumeDocumentDeadLetters,
  "kms-emails": consumeEmails,
  "kms-emails-dlq": consumeEmailDeadLetters,
};

/** Sends each queue batch to the consumer of its queue. */
export async function handleQueueBatch(
  batch: MessageBatch<unknown>,
  env: Bindings,
  _ctx: ExecutionContext,
): Promise<void> {
  const logger = createLogger({ queue: batch.queue });
  const consumer = CONSUMERS[batch.queue];
  if (consumer) {
    try {
      return await consumer(batch, env);
    } catch (error) {
      // The runtime retries every message the consumer did not ack or retry itself.
      logger.error("queue batch failed", describeError(error));
      throw error;
    }
  }

  logger.error("no consumer for queue", { messages: batch.messages.length });
  batch.retryAll();
}
