import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { planResendFailures, resendMessages } from "../../test/helpers/emails";
import { consumeQueue, type Delivery } from "../../test/helpers/queues";
import { createTestUser } from "../../test/helpers/users";
import { issueOneTimeToken } from "../auth/one-time-tokens.service";
import { oneTimeTokens, users } from "../db/schema";
import type { Bindings } from "../env";
import worker from "../index";
import { retryDelaySeconds } from "./emails.consumer";

const bindings = env as unknown as Bindings;

/** Runs the Worker's queue handler on one batch of `kms-emails`. */
function consume(messages: Delivery[], overrides: Partial<Bindings> = {}) {
  return consumeQueue("kms-emails", messages, overrides);
}

/** Runs the queue handler with EMAILS_DLQ replaced by a recorder of the bodies sent to it. */
async function consumeRecordingDeadLetters(
  messages: Delivery[],
  overrides: Partial<Bindings> = {},
) {
  const deadLetters: unknown[] = [];
  const recorder = { send: async (body: unknown) => void deadLetters.push(body) };
  const outcome = await consume(messages, { ...overrides, EMAILS_DLQ: recorder as never });
  return { ...outcome, deadLetters };
}

async function userWithToken(purpose: "email_verification" | "password_reset", ttl = 3600) {
  const { user } = await createTestUser();
  const issued = await withDatabase(({ db }) => issueOneTimeToken(db, user, purpose, ttl));
  return { user, issued };
}

function tokenMessage(
  type: "email_verification" | "password_reset",
  user: { id: number },
  issued: { id: number; token: string },
) {
  return { type, user_id: user.id, token_id: issued.id, token: issued.token };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("emails consumer", () => {
  it("sends a verification email with the link and acks", async () => {
    const { user, issued } = await userWithToken("email_verification");
    const { batch, result } = await consume([
      { body: tokenMessage("email_verification", user, issued) },
    ]);

    expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
    expect(result.retryMessages).toEqual([]);
    const [email] = await resendMessages(user.email);
    expect(email?.subject).toBe("Verifikasi alamat email Anda di KMS-Connect");
    expect(email?.from).toBe("KMS-Connect <no-reply@kms.test>");
    expect(email?.text).toContain(`http://app.test/verify-email?token=${issued.token}`);
    expect(email?.html).toContain(`http://app.test/verify-email?token=${issued.token}`);
  });

  it("sends a password reset email with uid and token", async () => {
    const { user, issued } = await userWithToken("password_reset");
    await consume([{ body: tokenMessage("password_reset", user, issued) }]);

    const [email] = await resendMessages(user.email);
    const uid = btoa(String(user.id)).replace(/=+$/, "");
    expect(email?.text).toContain(
      `http://app.test/reset-password?uid=${uid}&token=${issued.token}`,
    );
  });

  it("sends the password changed notice", async () => {
    const { user } = await createTestUser();
    const body = {
      type: "password_changed",
      user_id: user.id,
      changed_at: new Date().toISOString(),
    };
    const { result } = await consume([{ body }]);

    expect(result.explicitAcks).toHaveLength(1);
    const [email] = await resendMessages(user.email);
    expect(email?.subject).toBe("Kata sandi KMS-Connect Anda telah diubah");
  });

  it("sends once when the same message is delivered twice", async () => {
    const { user, issued } = await userWithToken("email_verification");
    const id = crypto.randomUUID();
    const body = tokenMessage("email_verification", user, issued);
    await consume([{ id, body }]);
    await consume([{ id, body, attempts: 2 }]);

    expect(await resendMessages(user.email)).toHaveLength(1);
  });

  it("skips a token that was used or expired", async () => {
    const used = await userWithToken("password_reset");
    const expired = await userWithToken("email_verification");
    await withDatabase(async ({ db }) => {
      await db
        .update(oneTimeTokens)
        .set({ usedAt: sql`now()` })
        .where(eq(oneTimeTokens.id, used.issued.id));
      await db
        .update(oneTimeTokens)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(oneTimeTokens.id, expired.issued.id));
    });

    const { result } = await consume([
      { body: tokenMessage("password_reset", used.user, used.issued) },
      { body: tokenMessage("email_verification", expired.user, expired.issued) },
    ]);

    expect(result.explicitAcks).toHaveLength(2);
    expect(await resendMessages(used.user.email)).toEqual([]);
    expect(await resendMessages(expired.user.email)).toEqual([]);
  });

  it("skips a verification link whose email changed", async () => {
    const { user, issued } = await userWithToken("email_verification");
    const newEmail = `changed-${user.email}`;
    await withDatabase(({ db }) =>
      db.update(users).set({ email: newEmail }).where(eq(users.id, user.id)),
    );

    const { result } = await consume([{ body: tokenMessage("email_verification", user, issued) }]);

    expect(result.explicitAcks).toHaveLength(1);
    expect(await resendMessages(user.email)).toEqual([]);
    expect(await resendMessages(newEmail)).toEqual([]);
  });

  it("dead-letters an invalid message without retrying it", async () => {
    const bodies = [
      { type: "newsletter", user_id: 1 },
      { type: "password_reset", user_id: "x", token_id: 1, token: "t" },
      "not an object",
    ];
    const { result, deadLetters } = await consumeRecordingDeadLetters(
      bodies.map((body) => ({ body })),
    );

    expect(result.explicitAcks).toHaveLength(3);
    expect(result.retryMessages).toEqual([]);
    expect(deadLetters).toEqual(bodies);
  });

  it("dead-letters a message whose token does not match the stored hash", async () => {
    const { user, issued } = await userWithToken("password_reset");
    const forged = { ...tokenMessage("password_reset", user, issued), token: "forged-token" };
    const { result, deadLetters } = await consumeRecordingDeadLetters([{ body: forged }]);

    expect(result.explicitAcks).toHaveLength(1);
    expect(deadLetters).toEqual([forged]);
    expect(await resendMessages(user.email)).toEqual([]);
  });

  it("retries a 500 from the provider with growing delays", async () => {
    const { user, issued } = await userWithToken("email_verification");
    await planResendFailures(user.email, 500, 3);
    const body = tokenMessage("email_verification", user, issued);

    const delays: (number | undefined)[] = [];
    for (const attempts of [1, 2, 3]) {
      const { batch, result, delays: delay } = await consume([{ body, attempts }]);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toEqual([{ msgId: batch.messages[0]?.id }]);
      delays.push(...delay);
    }

    expect(delays).toEqual([30, 60, 120]);
    expect(await resendMessages(user.email)).toEqual([]);
    const { result } = await consume([{ body, attempts: 4 }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await resendMessages(user.email)).toHaveLength(1);
  });

  it("retries a 429 from the provider", async () => {
    const { user, issued } = await userWithToken("password_reset");
    await planResendFailures(user.email, 429, 1);
    const { result, delays } = await consume([
      { body: tokenMessage("password_reset", user, issued), attempts: 3 },
    ]);

    expect(result.retryMessages).toHaveLength(1);
    // The fake's Retry-After of 1 s is shorter than the backoff, so the backoff wins.
    expect(delays).toEqual([120]);
  });

  it("retries when the provider cannot be reached", async () => {
    const { user, issued } = await userWithToken("email_verification");
    // Port 9 (discard) on loopback has no listener, so the connection is refused.
    const { result, delays } = await consume(
      [{ body: tokenMessage("email_verification", user, issued) }],
      { RESEND_API_URL: "http://127.0.0.1:9" },
    );

    expect(result.retryMessages).toHaveLength(1);
    expect(delays).toEqual([30]);
    expect(result.explicitAcks).toEqual([]);
  });

  it("dead-letters a permanent provider failure", async () => {
    const { user, issued } = await userWithToken("email_verification");
    await planResendFailures(user.email, 422, 1);
    const body = tokenMessage("email_verification", user, issued);
    const { result, deadLetters } = await consumeRecordingDeadLetters([{ body }]);

    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(deadLetters).toEqual([body]);
  });

  it("writes one log line per message without addresses or tokens", async () => {
    const { user, issued } = await userWithToken("email_verification");
    const lines: string[] = [];
    for (const method of ["log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((line: string) => void lines.push(line));
    }
    const { batch } = await consume([
      { body: tokenMessage("email_verification", user, issued), attempts: 2 },
      { body: { type: "unknown" } },
    ]);

    const records = lines.map((line) => JSON.parse(line));
    for (const message of batch.messages) {
      const own = records.filter((record) => record.message_id === message.id);
      expect(own).toHaveLength(1);
      expect(own[0]?.queue).toBe("kms-emails");
    }
    expect(records.map((record) => record.outcome)).toEqual(["sent", "dead_lettered"]);
    expect(records[0]?.attempt).toBe(2);
    expect(lines.join("\n")).not.toContain(user.email);
    expect(lines.join("\n")).not.toContain(issued.token);
  });
});

describe("emails retry delay", () => {
  it("doubles from 30 seconds and stops at an hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(retryDelaySeconds)).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3600,
    ]);
    expect(retryDelaySeconds(100)).toBe(3600);
  });
});

describe("emails dead-letter consumer", () => {
  it("logs each message at error level with its type and ids, and acks", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));
    const batch = createMessageBatch("kms-emails-dlq", [
      {
        id: "dlq-1",
        timestamp: new Date(),
        attempts: 1,
        body: { type: "password_reset", user_id: 7, token_id: 9, token: "secret-token" },
      },
      { id: "dlq-2", timestamp: new Date(), attempts: 1, body: "garbage" },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, bindings, ctx);
    const result = await getQueueResult(batch, ctx);

    expect(result.explicitAcks).toEqual(["dlq-1", "dlq-2"]);
    const records = errors.map((line) => JSON.parse(line));
    expect(records).toEqual([
      expect.objectContaining({
        level: "error",
        queue: "kms-emails-dlq",
        message_id: "dlq-1",
        email_type: "password_reset",
        user_id: 7,
        token_id: 9,
      }),
      expect.objectContaining({ message_id: "dlq-2", email_type: "unknown" }),
    ]);
    expect(errors.join("\n")).not.toContain("secret-token");
  });
});
