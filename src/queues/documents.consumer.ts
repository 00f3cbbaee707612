import { DrizzleQueryError } from "drizzle-orm/errors";
import { z } from "zod";
import { openDatabase } from "../db/client";
import {
  type ProcessingDeps,
  type ProcessingOutcome,
  processDocument,
} from "../documents/document-processing.service";
import { createVisionClient } from "../documents/ocr/vision.client";
import { type Bindings, loadConfig } from "../env";
import { createLimiter } from "../lib/limiter";
import { createLogger, describeError, type LogFields } from "../lib/logger";
import { createStorage } from "../lib/storage";
import { retryDelaySeconds } from "./emails.consumer";

/** The body that uploads and registration put on DOCUMENTS_QUEUE. */
export const DocumentMessageSchema = z.object({
  document_id: z.number().int().positive(),
  file_version: z.number().int().positive(),
});

export type DocumentMessage = z.infer<typeof DocumentMessageSchema>;

// One isolate decodes one image at a time however many batches it runs, because the RGBA
// pixels of a 12 MP photo alone take 48 MB of the 128 MB isolate (BENCHMARKS.md has the peaks).
const imageLimiter = createLimiter(1);

/**
 * Consumes the `documents` queue: for each `{document_id, file_version}` it optimises the
 * stored image and runs OCR (see processDocument). Messages of a batch run concurrently, with
 * at most VISION_MAX_CONCURRENCY Vision calls in flight. Transient failures are retried with
 * exponential backoff; an invalid body goes to the dead-letter queue at once. Writes one log
 * line per message.
 */
export async function consumeDocuments(batch: MessageBatch<unknown>, env: Bindings) {
  const logger = createLogger({ queue: batch.queue });
  const config = loadConfig(env);
  const database = openDatabase(config);
  const deps: ProcessingDeps = {
    db: database.db,
    config,
    env,
    storage: createStorage(env, config),
    vision: createVisionClient(config, env.CACHE),
    imageLimiter,
    visionLimiter: createLimiter(config.VISION_MAX_CONCURRENCY),
  };

  try {
    await Promise.all(
      batch.messages.map(async (message) => {
        const started = Date.now();
        const { level, fields } = await handleMessage(message, deps);
        logger[level]("document message processed", {
          message_id: message.id,
          attempt: message.attempts,
          duration_ms: Date.now() - started,
          ...fields,
        });
      }),
    );
  } finally {
    await database.close();
  }
}

interface MessageLog {
  level: "info" | "warn" | "error";
  fields: LogFields;
}

async function handleMessage(message: Message<unknown>, deps: ProcessingDeps): Promise<MessageLog> {
  const parsed = DocumentMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => issue.path.join(".") || "(root)");
    return deadLetter(message, deps.env, { reason: "invalid_message", issues: issues.join(",") });
  }

  const ids = { document_id: parsed.data.document_id, file_version: parsed.data.file_version };
  let outcome: ProcessingOutcome;
  try {
    outcome = await processDocument(deps, {
      documentId: parsed.data.document_id,
      fileVersion: parsed.data.file_version,
    });
  } catch (error) {
    // Database or storage unreachable before the document was claimed.
    outcome = { status: "retry", reason: "unexpected error", error };
  }
  return settle(message, outcome, deps, ids);
}

function settle(
  message: Message<unknown>,
  outcome: ProcessingOutcome,
  deps: ProcessingDeps,
  ids: LogFields,
): MessageLog {
  if (outcome.status !== "retry") {
    message.ack();
    const level = outcome.status === "failed" ? "warn" : "info";
    return { level, fields: { ...ids, outcome: outcome.status, reason: outcome.reason } };
  }

  const backoff = retryDelaySeconds(message.attempts);
  const delaySeconds = outcome.waitForClaim
    ? Math.max(backoff, deps.config.DOCUMENTS_PROCESSING_TIMEOUT_SECONDS)
    : Math.max(backoff, outcome.retryAfterSeconds ?? 0);
  message.retry({ delaySeconds });
  const failure = outcome.error === undefined ? {} : describeFailure(outcome.error);
  return {
    level: outcome.error === undefined ? "warn" : "error",
    fields: {
      ...ids,
      outcome: "retried",
      reason: outcome.reason,
      delay_seconds: delaySeconds,
      ...failure,
    },
  };
}

/** Forwards an invalid body to DOCUMENTS_DLQ for inspection and acks it, never retrying it. */
async function deadLetter(
  message: Message<unknown>,
  env: Bindings,
  fields: LogFields,
): Promise<MessageLog> {
  try {
    await env.DOCUMENTS_DLQ.send(message.body);
  } catch (error) {
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return {
      level: "error",
      fields: { ...fields, outcome: "retried", dead_letter_failed: true, ...describeError(error) },
    };
  }
  message.ack();
  return { level: "error", fields: { ...fields, outcome: "dead_lettered" } };
}

/** The error without the query parameters a database error quotes. */
function describeFailure(error: unknown): LogFields {
  return describeError(error instanceof DrizzleQueryError ? error.cause : error);
}
