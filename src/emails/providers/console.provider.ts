import type { Logger } from "../../lib/logger";
import type { EmailProvider, OutgoingEmail } from "./email-provider";

/**
 * Prints emails to the dev server log instead of sending them. This is the one place that logs
 * an email address and a token link, which is acceptable only because env.ts allows this
 * provider in development and test, never in staging or production.
 */
export class ConsoleEmailProvider implements EmailProvider {
  constructor(private readonly logger: Logger) {}

  async send(email: OutgoingEmail): Promise<{ id: string }> {
    const id = crypto.randomUUID();
    this.logger.info("email printed by console provider", {
      email_id: id,
      to: email.to,
      subject: email.subject,
      link: email.link,
    });
    return { id };
  }
}
