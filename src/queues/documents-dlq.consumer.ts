import { openDatabase } from "../db/client";
import { markGivenUp } from "../documents/document-processing.service";
import { type Bindings, loadConfig } from "../env";
import { createLogger, describeError } from "../lib/logger";
import { DocumentMessageSchema } from "./documents.consumer";
import { retryDelaySeconds } from "./emails.consumer";

/**
 * Consumes `documents-dlq`: messages whose processing exhausted its retries, and invalid bodies
 * that the documents consumer forwarded. For a valid body the document is marked `failed`
 * ("gave up after N attempts") unless it was replaced or finished meanwhile, so no document
 * stays `pending` or `processing`. Invalid bodies are logged and acked.
 */
export async function consumeDocumentDeadLetters(batch: MessageBatch<unknown>, env: Bindings) {
  const logger = createLogger({ queue: batch.queue });
  const config = loadConfig(env);
  const database = openDatabase(config);
  const attempts = config.DOCUMENTS_MAX_RETRIES + 1;
  try {
    for (const message of batch.messages) {
      const fields = { message_id: message.id, attempt: message.attempts };
      const parsed = DocumentMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        logger.error("document message dead-lettered", { ...fields, outcome: "invalid_message" });
        message.ack();
        continue;
      }

      const job = { documentId: parsed.data.document_id, fileVersion: parsed.data.file_version };
      const ids = { document_id: job.documentId, file_version: job.fileVersion };
      try {
        const changed = await markGivenUp(database.db, job, `gave up after ${attempts} attempts`);
        logger.error("document message dead-lettered", {
          ...fields,
          ...ids,
          outcome: changed ? "marked_failed" : "already_final",
        });
        message.ack();
      } catch (error) {
        const delaySeconds = retryDelaySeconds(message.attempts);
        message.retry({ delaySeconds });
        logger.error("document dead letter not recorded", {
          ...fields,
          ...ids,
          delay_seconds: delaySeconds,
          ...describeError(error),
        });
      }
    }
  } finally {
    await database.close();
  }
}
