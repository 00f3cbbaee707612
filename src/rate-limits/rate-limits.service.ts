import type { ServiceContext } from "../context";
import type { Config, RateLimitSetting } from "../env";
import { AppError } from "../lib/errors";
import { describeError } from "../lib/logger";
import type { RateLimitDecision } from "./rate-limiter.object";

/** The configuration variable that sets each limit; some limits share one variable. */
export const RATE_LIMIT_VARIABLES = {
  anonymous: "RATE_LIMIT_ANONYMOUS",
  authenticated: "RATE_LIMIT_AUTHENTICATED",
  login: "RATE_LIMIT_LOGIN",
  refresh: "RATE_LIMIT_REFRESH",
  register: "RATE_LIMIT_REGISTER",
  verify_email: "RATE_LIMIT_VERIFY_EMAIL",
  password_reset: "RATE_LIMIT_PASSWORD_RESET",
  google: "RATE_LIMIT_GOOGLE",
  ocr_preview: "RATE_LIMIT_OCR_PREVIEW",
  password_reset_email: "RATE_LIMIT_PER_EMAIL",
  verification_email: "RATE_LIMIT_PER_EMAIL",
  failed_login: "RATE_LIMIT_FAILED_LOGIN",
} as const satisfies Record<string, keyof Config>;

export type RateLimitName = keyof typeof RATE_LIMIT_VARIABLES;

/** The parts of a service context that the limiter uses; it never opens the database. */
export type LimiterContext = Pick<ServiceContext, "config" | "env" | "logger">;

/** A counted hit that `refund` can take back, for limits that count only failures. */
export interface CountedHit {
  refund(): Promise<void>;
}

const NOT_COUNTED: CountedHit = { refund: async () => {} };

/**
 * Counts one request of `subject` (for example `ip:203.0.113.9`, `user:42` or
 * `email:a@b.test`) against the limit `name`. Raises 429 `rate_limited` with `Retry-After` when
 * the window is full. Returns the hit so a caller can take it back.
 */
export async function enforceRateLimit(
  limiter: LimiterContext,
  name: RateLimitName,
  subject: string,
  detail = "Terlalu banyak permintaan.",
): Promise<CountedHit> {
  if (!limiter.config.RATE_LIMITS_ENABLED) return NOT_COUNTED;
  const setting = limiter.config[RATE_LIMIT_VARIABLES[name]];
  const stub = await limiterStub(limiter, name, subject);
  const decision = await hitOrAllow(limiter, name, setting, stub);
  if (!decision) return NOT_COUNTED;
  if (!decision.allowed) throw rateLimited(limiter, name, decision, detail);
  return { refund: () => refundQuietly(limiter, name, stub, decision.windowStartedAt) };
}

/**
 * Returns the Durable Object name that counts `subject` for the limit `name`. The subject
 * appears only as an HMAC under the password pepper, so names carry no IPs or emails.
 */
export async function rateLimitKey(
  config: Pick<Config, "PASSWORD_PEPPER">,
  name: RateLimitName,
  subject: string,
): Promise<string> {
  return `${name}:${await keyedHash(config.PASSWORD_PEPPER, subject)}`;
}

async function limiterStub(limiter: LimiterContext, name: RateLimitName, subject: string) {
  const namespace = limiter.env.RATE_LIMITER;
  // A deployment without the binding fails every limited request with a 500 that names it.
  if (!namespace) throw new Error("RATE_LIMITER Durable Object binding is missing");
  const key = await rateLimitKey(limiter.config, name, subject);
  return namespace.get(namespace.idFromName(key));
}

type LimiterStub = Awaited<ReturnType<typeof limiterStub>>;

/**
 * Returns the Durable Object's decision, or null when it cannot be reached. The limiter fails
 * open: an outage of the counters must not take every sign-in down with it.
 */
async function hitOrAllow(
  limiter: LimiterContext,
  name: RateLimitName,
  setting: RateLimitSetting,
  stub: LimiterStub,
): Promise<RateLimitDecision | null> {
  try {
    return await stub.hit(setting.limit, setting.windowSeconds);
  } catch (error) {
    limiter.logger.error("rate limiter unavailable", { limit: name, ...describeError(error) });
    return null;
  }
}

async function refundQuietly(
  limiter: LimiterContext,
  name: RateLimitName,
  stub: LimiterStub,
  windowStartedAt: number,
) {
  try {
    await stub.refund(windowStartedAt);
  } catch (error) {
    limiter.logger.error("rate limit refund failed", { limit: name, ...describeError(error) });
  }
}

function rateLimited(
  limiter: LimiterContext,
  name: RateLimitName,
  decision: RateLimitDecision,
  detail: string,
) {
  const seconds = decision.retryAfterSeconds;
  limiter.logger.warn("rate limit exceeded", { limit: name, retry_after_seconds: seconds });
  return new AppError(
    429,
    "rate_limited",
    `${detail} Coba lagi dalam ${seconds} detik.`,
    undefined,
    { "Retry-After": String(seconds) },
  );
}

/** Hex HMAC-SHA256 of `value` under `secret`: stable per value, meaningless without the key. */
async function keyedHash(secret: string, value: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, encoder.encode(value));
  return [...new Uint8Array(signature)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Counts one password-reset or verification email request for `email` (3 an hour by
 * default). Known and unknown addresses are counted alike, so the 429 reveals no accounts.
 */
export function limitEmailRequests(
  limiter: LimiterContext,
  name: "password_reset_email" | "verification_email",
  email: string,
): Promise<CountedHit> {
  const detail = "Terlalu banyak permintaan untuk alamat email ini.";
  return enforceRateLimit(limiter, name, `email:${normalizeEmail(email)}`, detail);
}

/**
 * Counts a login attempt against the account of `email` before the password is checked, and
 * raises 429 while the account has used up its failed attempts (10 in 15 minutes by default),
 * even for the right password. The caller refunds the hit when the login succeeds, so only
 * failures count. Counting before the check stops parallel guesses from overshooting the limit.
 * Unknown addresses are counted alike, so the lock reveals no accounts.
 */
export function reserveLoginAttempt(limiter: LimiterContext, email: string): Promise<CountedHit> {
  const detail = "Terlalu banyak percobaan masuk yang gagal untuk akun ini.";
  return enforceRateLimit(limiter, "failed_login", `account:${normalizeEmail(email)}`, detail);
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
