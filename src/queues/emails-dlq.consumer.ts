import { EMAIL_MESSAGE_TYPES } from "../emails/emails.messages";
import { createLogger, type LogFields } from "../lib/logger";

/**
 * Consumes `emails-dlq`: messages that exhausted their retries or could never succeed. Each is
 * logged at error level with its type and ids, so a person can resend the email, and acked.
 */
export async function consumeEmailDeadLetters(batch: MessageBatch<unknown>): Promise<void> {
  const logger = createLogger({ queue: batch.queue });
  for (const message of batch.messages) {
    logger.error("email message dead-lettered", {
      message_id: message.id,
      attempt: message.attempts,
      outcome: "logged",
      ...deadLetterIds(message.body),
    });
    message.ack();
  }
}

/** Extracts the type and ids of a body that may be malformed, and never its token. */
export function deadLetterIds(body: unknown): LogFields {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const type = record.type;
  return {
    email_type: EMAIL_MESSAGE_TYPES.includes(type as never) ? (type as string) : "unknown",
    user_id: positiveInteger(record.user_id),
    token_id: positiveInteger(record.token_id),
  };
}

function positiveInteger(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : undefined;
}
