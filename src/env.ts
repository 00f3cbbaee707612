import { z } from "zod";
import type { RateLimiter } from "./rate-limits/rate-limiter.object";

/** Bindings that wrangler.toml declares, plus the raw string vars and secrets. */
export interface Bindings {
  CACHE: KVNamespace;
  FILES: R2Bucket;
  DOCUMENTS_QUEUE: Queue<unknown>;
  EMAILS_QUEUE: Queue<unknown>;
  /** Dead-letter queue of EMAILS_QUEUE, for messages the consumer rejects without retrying. */
  EMAILS_DLQ: Queue<unknown>;
  /** Dead-letter queue of DOCUMENTS_QUEUE, for invalid messages the consumer never retries. */
  DOCUMENTS_DLQ: Queue<unknown>;
  HYPERDRIVE?: Hyperdrive;
  /** Durable Objects that hold the rate-limit counters, one object per limit and client. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  [name: string]: unknown;
}

const booleanString = z
  .enum(["true", "false", "1", "0"])
  .transform((value) => value === "true" || value === "1");

const commaList = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

const positiveInt = z.coerce.number().int().positive();

/** A rate limit written `<requests>/<seconds>`, for example `10/60` for 10 a minute. */
export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

const rateLimitSetting = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,7}\/\d{1,7}$/, "must be <requests>/<seconds>, for example 10/60")
    .default(fallback)
    .transform((value): RateLimitSetting => {
      const [limit, windowSeconds] = value.split("/").map(Number);
      return { limit: limit ?? 0, windowSeconds: windowSeconds ?? 0 };
    })
    .refine((setting) => setting.limit >= 1, "the number of requests must be at least 1")
    .refine(
      (setting) => setting.windowSeconds >= 1 && setting.windowSeconds <= 86_400,
      "the window must be 1 to 86400 seconds",
    );

const S3_REQUIRED_VARIABLES = [
  "S3_ENDPOINT",
  "S3_BUCKET",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
] as const;

const configSchema = z
  .object({
    ENVIRONMENT: z.enum(["development", "test", "staging", "production"]).default("production"),
    DATABASE_URL: z.string().min(1).optional(),
    DATABASE_DRIVER: z.enum(["auto", "postgres", "neon-http"]).default("auto"),
    NEON_FETCH_ENDPOINT: z.url().optional(),
    // postgres.js over TCP only: connections one isolate keeps open at once. Requests beyond
    // it wait in arrival order, up to DATABASE_ACQUIRE_TIMEOUT_MS, then get a 503.
    DATABASE_MAX_CONNECTIONS: positiveInt.max(1000).default(10),
    DATABASE_ACQUIRE_TIMEOUT_MS: positiveInt.max(120_000).default(15_000),

    JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters"),
    JWT_ISSUER: z.string().min(1).default("kms-connect-account-api"),
    JWT_AUDIENCE: z.string().min(1).default("kms-connect"),
    ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
    REFRESH_TOKEN_TTL_DAYS: positiveInt.default(30),
    REFRESH_TOKEN_ABSOLUTE_DAYS: positiveInt.default(90),
    REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).default(10),

    PASSWORD_PEPPER: z.string().min(32, "PASSWORD_PEPPER must be at least 32 characters"),
    // Production Workers reject WebCrypto PBKDF2 above 100,000 iterations.
    PASSWORD_ITERATIONS: z.coerce.number().int().min(10_000).max(100_000).default(100_000),

    COOKIE_SECURE: booleanString.optional(),
    COOKIE_SAMESITE: z.enum(["Lax", "Strict", "None"]).default("Lax"),
    COOKIE_DOMAIN: z.string().min(1).optional(),
    CORS_ALLOWED_ORIGINS: commaList.default([]),

    FRONTEND_URL: z.url(),
    COMPANY_NAME: z.string().min(1).default("KMS-Connect"),
    EMAIL_VERIFICATION_TTL_DAYS: positiveInt.default(7),
    PASSWORD_RESET_TTL_SECONDS: positiveInt.default(3600),

    EMAIL_PROVIDER: z.enum(["console", "resend"]).default("console"),
    EMAIL_FROM: z.string().min(3).default("KMS-Connect <no-reply@localhost>"),
    RESEND_API_KEY: z.string().min(1).optional(),
    RESEND_API_URL: z.url().default("https://api.resend.com"),

    GOOGLE_CLIENT_IDS: commaList.default([]),
    GOOGLE_JWKS_URL: z.url().default("https://www.googleapis.com/oauth2/v3/certs"),

    OCR_PREVIEW_ENABLED: booleanString.default(false),
    GOOGLE_VISION_ENDPOINT: z.url().default("https://vision.googleapis.com"),
    GOOGLE_VISION_API_KEY: z.string().min(1).optional(),
    // The service account's JSON key file, as downloaded; used when no API key is set.
    GOOGLE_SERVICE_ACCOUNT_JSON: z.string().min(1).optional(),
    VISION_MAX_CONCURRENCY: positiveInt.max(16).default(4),
    // Keep equal to max_retries of the kms-documents consumer in wrangler.toml.
    DOCUMENTS_MAX_RETRIES: positiveInt.default(5),
    DOCUMENTS_PROCESSING_TIMEOUT_SECONDS: positiveInt.default(300),
    // A `pending` document untouched this long has lost its queue message: the longest retry
    // delay of the documents consumer is one hour, so a live message touches it sooner.
    DOCUMENTS_REQUEUE_PENDING_AFTER_SECONDS: positiveInt.default(7200),
    // The daily clean-up deletes at most MAINTENANCE_BATCH_SIZE rows per statement, so no
    // statement holds row locks for long, and stops after MAINTENANCE_MAX_BATCHES per table.
    MAINTENANCE_BATCH_SIZE: positiveInt.max(10_000).default(1000),
    MAINTENANCE_MAX_BATCHES: positiveInt.default(200),
    // Appended to every queue name of one environment in wrangler.toml (`-staging`), so two
    // environments can share a Cloudflare account. The queue handler strips it to find the consumer.
    QUEUE_NAME_SUFFIX: z
      .string()
      .regex(/^-[a-z0-9-]+$/, "must start with '-' and contain only a-z, 0-9 and '-'")
      .optional(),

    // Switching limits off is for local benchmarks; the schema rejects it in production.
    RATE_LIMITS_ENABLED: booleanString.default(true),
    // Per client IP, or per user for requests with a valid access token.
    RATE_LIMIT_ANONYMOUS: rateLimitSetting("30/60"),
    RATE_LIMIT_AUTHENTICATED: rateLimitSetting("120/60"),
    // Per client IP and route, on top of the limits above.
    RATE_LIMIT_LOGIN: rateLimitSetting("10/60"),
    RATE_LIMIT_REFRESH: rateLimitSetting("10/60"),
    RATE_LIMIT_REGISTER: rateLimitSetting("5/60"),
    RATE_LIMIT_VERIFY_EMAIL: rateLimitSetting("5/60"),
    RATE_LIMIT_PASSWORD_RESET: rateLimitSetting("5/60"),
    RATE_LIMIT_GOOGLE: rateLimitSetting("5/60"),
    RATE_LIMIT_OCR_PREVIEW: rateLimitSetting("5/60"),
    // Per email address, separately for password-reset and verification emails.
    RATE_LIMIT_PER_EMAIL: rateLimitSetting("3/3600"),
    // Failed logins per account. Then every login for it returns 429 until the window ends.
    RATE_LIMIT_FAILED_LOGIN: rateLimitSetting("10/900"),

    STORAGE_DRIVER: z.enum(["r2", "s3"]).default("r2"),
    S3_ENDPOINT: z.url().optional(),
    S3_REGION: z.string().min(1).default("us-east-1"),
    S3_BUCKET: z.string().min(1).optional(),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    FILE_URL_SECRET: z
      .string()
      .min(32, "FILE_URL_SECRET must be at least 32 characters")
      .optional(),
  })
  .superRefine((config, context) => {
    const deployed = config.ENVIRONMENT === "production" || config.ENVIRONMENT === "staging";
    if (deployed && config.EMAIL_PROVIDER === "console") {
      context.addIssue({
        code: "custom",
        path: ["EMAIL_PROVIDER"],
        message: "EMAIL_PROVIDER=console is for local development only",
      });
    }
    if (config.ENVIRONMENT === "production" && !config.RATE_LIMITS_ENABLED) {
      context.addIssue({
        code: "custom",
        path: ["RATE_LIMITS_ENABLED"],
        message: "RATE_LIMITS_ENABLED=false is for local benchmarks only",
      });
    }
    if (config.STORAGE_DRIVER === "s3") {
      for (const name of S3_REQUIRED_VARIABLES) {
        if (!config[name]) {
          context.addIssue({
            code: "custom",
            path: [name],
            message: `${name} is required when STORAGE_DRIVER=s3`,
          });
        }
      }
    }
    if (config.EMAIL_PROVIDER === "resend" && !config.RESEND_API_KEY) {
      context.addIssue({
        code: "custom",
        path: ["RESEND_API_KEY"],
        message: "RESEND_API_KEY is required when EMAIL_PROVIDER=resend",
      });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;

/** Names of every variable the schema reads; `npm run dev` passes these through to the Worker. */
export const CONFIG_VARIABLES = Object.keys(configSchema.shape) as (keyof RawConfig)[];

export interface Config extends RawConfig {
  cookieSecure: boolean;
  databaseUrl: string;
}

/** Raised once per isolate when the Worker's variables are invalid; never a silent default. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration: ${issues.join("; ")}`);
    this.name = "ConfigError";
  }
}

const configCache = new WeakMap<object, Config>();

/**
 * Validates the Worker's variables once per `env` object and returns the typed configuration.
 * Throws ConfigError listing every invalid or missing variable by name.
 */
export function loadConfig(env: Bindings): Config {
  const cached = configCache.get(env);
  if (cached) return cached;

  const parsed = configSchema.safeParse(stringValues(env));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    );
  }

  const databaseUrl = env.HYPERDRIVE?.connectionString ?? parsed.data.DATABASE_URL;
  if (!databaseUrl) {
    throw new ConfigError(["DATABASE_URL: required unless a HYPERDRIVE binding is configured"]);
  }

  const config: Config = {
    ...parsed.data,
    databaseUrl,
    cookieSecure: parsed.data.COOKIE_SECURE ?? parsed.data.ENVIRONMENT !== "development",
  };
  configCache.set(env, config);
  return config;
}

/** Keeps only string values, so bindings never reach the schema and empty strings count as unset. */
function stringValues(env: Bindings): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === "string" && value !== "") values[name] = value;
  }
  return values;
}
