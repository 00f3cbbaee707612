import type { Config } from "../../env";
import type { Logger } from "../../lib/logger";
import type { RenderedEmail } from "../emails.templates";
import { ConsoleEmailProvider } from "./console.provider";
import { ResendEmailProvider } from "./resend.provider";

/** One email to one recipient. */
export interface OutgoingEmail extends RenderedEmail {
  to: string;
  /** Stable across redeliveries of a queue message, so a provider can drop duplicates. */
  idempotencyKey: string;
}

export interface EmailProvider {
  /** Sends the email, or throws EmailDeliveryError. Returns the provider's message id. */
  send(email: OutgoingEmail): Promise<{ id: string }>;
}

/**
 * A failed delivery. `transient` failures (network, 429, 5xx) are worth retrying; the others
 * (a rejected address, a bad API key) fail the same way every time.
 */
export class EmailDeliveryError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly status: number | null = null,
    /** Seconds to wait from the provider's `Retry-After` header, or null when it sent none. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "EmailDeliveryError";
  }
}

export type EmailProviderConfig = Pick<
  Config,
  "EMAIL_PROVIDER" | "EMAIL_FROM" | "RESEND_API_KEY" | "RESEND_API_URL"
>;

/** Creates the provider that EMAIL_PROVIDER names. */
export function createEmailProvider(config: EmailProviderConfig, logger: Logger): EmailProvider {
  switch (config.EMAIL_PROVIDER) {
    case "console":
      return new ConsoleEmailProvider(logger);
    case "resend":
      return new ResendEmailProvider({
        apiUrl: config.RESEND_API_URL,
        // env.ts rejects EMAIL_PROVIDER=resend without a key, so this is set here.
        apiKey: config.RESEND_API_KEY ?? "",
        from: config.EMAIL_FROM,
      });
  }
}
