import { importPKCS8, SignJWT } from "jose";
import { z } from "zod";
import { OcrError } from "./ocr-error";

/** Vision accepts tokens for this scope (or cloud-platform). */
export const VISION_SCOPE = "https://www.googleapis.com/auth/cloud-vision";
/** A cached token is dropped this long before Google's expiry, so no call carries a stale one. */
const EXPIRY_MARGIN_SECONDS = 300;
const ASSERTION_LIFETIME_SECONDS = 3600;

const ServiceAccountSchema = z.object({
  client_email: z.string().min(1),
  private_key: z.string().min(1),
  private_key_id: z.string().optional(),
  token_uri: z.url().default("https://oauth2.googleapis.com/token"),
});

export type ServiceAccount = z.infer<typeof ServiceAccountSchema>;

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

interface CachedToken {
  token: string;
  expiresAt: number;
}

// Per-isolate copy of the KV entry, so warm isolates skip the KV read too.
const isolateCache = new Map<string, CachedToken>();

/** Parses GOOGLE_SERVICE_ACCOUNT_JSON. Throws a permanent OcrError naming the bad field. */
export function parseServiceAccount(json: string): ServiceAccount {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new OcrError("GOOGLE_SERVICE_ACCOUNT_JSON is not valid JSON", { transient: false });
  }
  const parsed = ServiceAccountSchema.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
    throw new OcrError(`GOOGLE_SERVICE_ACCOUNT_JSON is missing or has invalid ${fields}`, {
      transient: false,
    });
  }
  return parsed.data;
}

/**
 * Returns an OAuth access token for the service account, from the isolate or KV cache while
 * it has more than EXPIRY_MARGIN_SECONDS left, else by the JWT bearer grant (RFC 7523): a JWT
 * signed with the account's private key (RS256) is exchanged at its token URI.
 * NOTE: the token is cached in KV in plain text; KV namespaces are private to the account.
 */
export async function serviceAccountToken(account: ServiceAccount, kv: KVNamespace) {
  const cacheKey = `google-token:${await sha256Hex(`${account.client_email}|${account.token_uri}`)}`;
  const now = Math.floor(Date.now() / 1000);
  const cached = isolateCache.get(cacheKey) ?? (await kv.get<CachedToken>(cacheKey, "json"));
  if (cached && cached.expiresAt - EXPIRY_MARGIN_SECONDS > now) {
    isolateCache.set(cacheKey, cached);
    return cached.token;
  }

  const { token, expiresIn } = await exchangeAssertion(account, now);
  const entry = { token, expiresAt: now + expiresIn };
  isolateCache.set(cacheKey, entry);
  const ttl = expiresIn - EXPIRY_MARGIN_SECONDS;
  // KV rejects a TTL under 60 s; such a short-lived token is kept in the isolate only.
  if (ttl >= 60) await kv.put(cacheKey, JSON.stringify(entry), { expirationTtl: ttl });
  return token;
}

async function exchangeAssertion(account: ServiceAccount, now: number) {
  const assertion = await signAssertion(account, now);
  const response = await postForm(account.token_uri, {
    grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
    assertion,
  });
  if (!response.ok) {
    // 400/401 mean a revoked key or wrong account: retrying the same assertion cannot help.
    const transient = response.status === 429 || response.status >= 500;
    throw new OcrError(`token endpoint returned status ${response.status}`, {
      transient,
      status: response.status,
    });
  }
  const parsed = TokenResponseSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    throw new OcrError("token endpoint response is missing access_token", { transient: true });
  }
  return { token: parsed.data.access_token, expiresIn: parsed.data.expires_in };
}

async function signAssertion(account: ServiceAccount, now: number): Promise<string> {
  let key: CryptoKey;
  try {
    key = await importPKCS8(account.private_key, "RS256");
  } catch {
    throw new OcrError("service account private_key is not a PKCS#8 RSA key", {
      transient: false,
    });
  }
  return new SignJWT({ scope: VISION_SCOPE })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: account.private_key_id })
    .setIssuer(account.client_email)
    .setSubject(account.client_email)
    .setAudience(account.token_uri)
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
    .sign(key);
}

async function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  try {
    return await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  } catch {
    throw new OcrError("token endpoint could not be reached", { transient: true });
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
