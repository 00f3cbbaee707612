import { env } from "cloudflare:test";
// Type-only: the fake runs in Node, and the import is erased before this file runs in workerd.
import type { RecordedEmail } from "../fakes/resend";

function fakesUrl(): string {
  return (env as unknown as { TEST_FAKES_URL: string }).TEST_FAKES_URL;
}

/** Fetches the emails the fake Resend accepted for `to`, oldest first. */
export async function resendMessages(to: string): Promise<RecordedEmail[]> {
  const response = await fetch(
    `${fakesUrl()}/resend/__messages?to=${encodeURIComponent(to.toLowerCase())}`,
  );
  const body = (await response.json()) as { data: RecordedEmail[] };
  return body.data;
}

/**
 * Polls the fake Resend until `count` emails for `to` arrived, and throws after `timeoutMs`.
 * Queue delivery in miniflare waits for max_batch_timeout (2 s). The default allows more:
 * in one CI run the whole test runtime logged nothing for 24 s while the suite loaded
 * other test files, and a 15 s wait failed. It stays below the 30 s test timeout.
 */
export async function waitForEmails(
  to: string,
  count = 1,
  timeoutMs = 27_000,
): Promise<RecordedEmail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const emails = await resendMessages(to);
    if (emails.length >= count) return emails;
    if (Date.now() > deadline) {
      throw new Error(
        `expected ${count} email(s) for ${to} within ${timeoutMs} ms, got ${emails.length}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Makes the next `count` sends to `to` fail with `status` at the fake Resend. */
export async function planResendFailures(to: string, status: number, count: number) {
  await fetch(`${fakesUrl()}/resend/__failures`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ to, status, count }),
  });
}

/** Extracts the first link that starts with `prefix` from an email's plain-text part. */
export function linkFrom(email: RecordedEmail, prefix: string): URL {
  const match = (email.text ?? "").split(/\s+/).find((word) => word.startsWith(prefix));
  if (!match) throw new Error(`no link starting with ${prefix} in email ${email.id}`);
  return new URL(match);
}
