import type { EmailProvider, OutgoingEmail } from "./email-provider";
import { EmailDeliveryError } from "./email-provider";

export interface ResendOptions {
  /** Base URL without the `/emails` path, e.g. `https://api.resend.com`. */
  apiUrl: string;
  apiKey: string;
  /** Sender, e.g. `KMS-Connect <no-reply@example.com>`; its domain must be verified in Resend. */
  from: string;
}

/** Stops a hung connection from holding the consumer; the message is retried instead. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends through Resend's `POST /emails`. Success is 200 `{id}`; errors are
 * `{statusCode, name, message}`. The Idempotency-Key header makes Resend drop a repeat of the
 * same key within 24 hours, so a redelivered queue message does not send twice.
 */
export class ResendEmailProvider implements EmailProvider {
  constructor(private readonly options: ResendOptions) {}

  async send(email: OutgoingEmail): Promise<{ id: string }> {
    const response = await this.post(email);
    if (response.ok) {
      const body = (await response.json().catch(() => ({}))) as { id?: unknown };
      return { id: typeof body.id === "string" ? body.id : "" };
    }

    const body = (await response.json().catch(() => ({}))) as { name?: unknown };
    const name = typeof body.name === "string" ? body.name : "unknown";
    const transient = response.status === 429 || response.status >= 500;
    throw new EmailDeliveryError(
      `resend responded ${response.status} ${name}`,
      transient,
      response.status,
      parseRetryAfter(response.headers.get("Retry-After")),
    );
  }

  private async post(email: OutgoingEmail): Promise<Response> {
    try {
      return await fetch(`${this.options.apiUrl.replace(/\/+$/, "")}/emails`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${this.options.apiKey}`,
          "Content-Type": "application/json",
          "Idempotency-Key": email.idempotencyKey,
        },
        body: JSON.stringify({
          from: this.options.from,
          to: [email.to],
          subject: email.subject,
          html: email.html,
          text: email.text,
        }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      // DNS, connection and timeout failures: nothing reached Resend, or we cannot tell.
      const reason = error instanceof Error ? error.name : "unknown";
      throw new EmailDeliveryError(`resend request failed: ${reason}`, true);
    }
  }
}

/** Reads a Retry-After given in seconds; the HTTP-date form is ignored. */
function parseRetryAfter(value: string | null): number | null {
  if (!value || !/^\d{1,6}$/.test(value.trim())) return null;
  return Number(value.trim());
}
