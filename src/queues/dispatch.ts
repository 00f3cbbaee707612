import { type Bindings, loadConfig } from "../env";
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
  const consumer = CONSUMERS[baseQueueName(batch.queue, loadConfig(env).QUEUE_NAME_SUFFIX)];
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

/** The queue's name as CONSUMERS lists it, without the environment's QUEUE_NAME_SUFFIX. */
function baseQueueName(queue: string, suffix: string | undefined): string {
  return suffix && queue.endsWith(suffix) ? queue.slice(0, -suffix.length) : queue;
}
