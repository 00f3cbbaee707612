import { DrizzleQueryError } from "drizzle-orm/errors";
import type { Database } from "../db/client";
import { openDatabase } from "../db/client";
import { composeEmail } from "../emails/emails.composer";
import { type EmailMessage, EmailMessageSchema } from "../emails/emails.messages";
import {
  createEmailProvider,
  EmailDeliveryError,
  type EmailProvider,
} from "../emails/providers/email-provider";
import { type Bindings, type Config, loadConfig } from "../env";
import { createLogger, describeError, type LogFields } from "../lib/logger";

/** First retry waits 30 s, then 60, 120, … up to an hour; wrangler.toml caps the attempts. */
const RETRY_BASE_SECONDS = 30;
const RETRY_MAX_SECONDS = 3600;

interface ConsumerDeps {
  db: Database;
  config: Config;
  env: Bindings;
  provider: EmailProvider;
}

type Outcome = "sent" | "skipped" | "retried" | "dead_lettered";

interface MessageResult {
  outcome: Outcome;
  level: "info" | "warn" | "error";
  fields?: LogFields;
}

/**
 * Consumes the `emails` queue: validates each body, renders the email from the current
 * database state and sends it. Transient failures are retried with exponential backoff;
 * invalid messages and permanent failures go to the dead-letter queue at once. Writes one log
 * line per message.
 */
export async function consumeEmails(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const logger = createLogger({ queue: batch.queue });
  const config = loadConfig(env);
  const database = openDatabase(config);
  const deps = { db: database.db, config, env, provider: createEmailProvider(config, logger) };
  try {
    for (const message of batch.messages) {
      const messageLogger = logger.child({ message_id: message.id, attempt: message.attempts });
      const started = Date.now();
      const result = await processMessage(message, deps);
      messageLogger[result.level]("email message processed", {
        outcome: result.outcome,
        duration_ms: Date.now() - started,
        ...result.fields,
      });
    }
  } finally {
    await database.close();
  }
}

async function processMessage(
  message: Message<unknown>,
  deps: ConsumerDeps,
): Promise<MessageResult> {
  const parsed = EmailMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    // Only the paths of the failing fields: the values may hold an address or a token.
    const issues = parsed.error.issues.map((issue) => issue.path.join(".") || "(root)");
    return deadLetter(message, deps.env, { reason: "invalid_message", issues: issues.join(",") });
  }

  try {
    return await deliver(message, parsed.data, deps);
  } catch (error) {
    return retryOrDeadLetter(message, deps.env, parsed.data, error);
  }
}

async function deliver(
  message: Message<unknown>,
  body: EmailMessage,
  deps: ConsumerDeps,
): Promise<MessageResult> {
  const ids = messageIds(body);
  const composition = await composeEmail(deps.db, deps.config, body);
  if (composition.action === "reject") {
    return deadLetter(message, deps.env, { ...ids, reason: composition.reason });
  }
  if (composition.action === "skip") {
    message.ack();
    return { outcome: "skipped", level: "info", fields: { ...ids, reason: composition.reason } };
  }

  const sent = await deps.provider.send({
    ...composition.email,
    to: composition.to,
    idempotencyKey: `${body.type}/${message.id}`,
  });
  message.ack();
  return { outcome: "sent", level: "info", fields: { ...ids, provider_message_id: sent.id } };
}

async function retryOrDeadLetter(
  message: Message<unknown>,
  env: Bindings,
  body: EmailMessage,
  error: unknown,
): Promise<MessageResult> {
  const fields = { ...messageIds(body), ...describeFailure(error) };
  if (error instanceof EmailDeliveryError && !error.transient) {
    return deadLetter(message, env, { ...fields, reason: "permanent_failure" });
  }

  // Network errors, 429, 5xx, and database errors: the same message may well succeed later.
  const retryAfter = error instanceof EmailDeliveryError ? error.retryAfterSeconds : null;
  const delaySeconds = Math.max(retryDelaySeconds(message.attempts), retryAfter ?? 0);
  message.retry({ delaySeconds });
  return { outcome: "retried", level: "warn", fields: { ...fields, delay_seconds: delaySeconds } };
}

/** Exponential backoff for the given attempt number (1 for the first delivery). */
export function retryDelaySeconds(attempt: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 16));
  return Math.min(RETRY_BASE_SECONDS * 2 ** exponent, RETRY_MAX_SECONDS);
}

/**
 * Forwards the body unchanged to the dead-letter queue and acks it, so a message that cannot
 * succeed is kept for inspection but never retried.
 */
async function deadLetter(
  message: Message<unknown>,
  env: Bindings,
  fields: LogFields,
): Promise<MessageResult> {
  try {
    await env.EMAILS_DLQ.send(message.body);
  } catch (error) {
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return {
      outcome: "retried",
      level: "error",
      fields: { ...fields, dead_letter_failed: true, ...describeError(error) },
    };
  }
  message.ack();
  return { outcome: "dead_lettered", level: "error", fields };
}

function messageIds(body: EmailMessage): LogFields {
  return {
    email_type: body.type,
    user_id: body.user_id,
    token_id: "token_id" in body ? body.token_id : undefined,
  };
}

/** Provider status and name, or the database error without the query parameters it quotes. */
function describeFailure(error: unknown): LogFields {
  if (error instanceof EmailDeliveryError) {
    return { error_message: error.message, provider_status: error.status ?? undefined };
  }
  return describeError(error instanceof DrizzleQueryError ? error.cause : error);
}
