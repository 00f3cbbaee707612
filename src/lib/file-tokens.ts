/**
 * Tokens of the Worker route that serves private R2 objects (`GET /api/files/{token}/`). A token
 * is `<payload>.<signature>`, both base64url. The payload is JSON naming the object key, the
 * file name and content type to serve it with, and the expiry. The signature is HMAC-SHA256
 * over a fixed prefix and the payload.
 */

/** Permission to read one object until `expiresAt`, as a file token carries it. */
export interface FileGrant {
  key: string;
  fileName: string;
  contentType: string;
  /** Unix time in seconds. */
  expiresAt: number;
}

export type FileTokenCheck =
  | { ok: true; grant: FileGrant }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

// The prefix keeps these signatures apart from the HS256 access tokens when FILE_URL_SECRET is
// unset and JWT_SECRET signs both: a JWT signing input is base64url text without a newline.
const SIGNING_PREFIX = "kms-file-url.v1\n";

const encoder = new TextEncoder();

/** Signs a grant into a token for the file route. */
export async function signFileToken(secret: string, grant: FileGrant): Promise<string> {
  const payload = base64UrlEncode(
    encoder.encode(
      JSON.stringify({ k: grant.key, n: grant.fileName, t: grant.contentType, e: grant.expiresAt }),
    ),
  );
  const key = await hmacKey(secret);
  const signature = await crypto.subtle.sign("HMAC", key, encoder.encode(SIGNING_PREFIX + payload));
  return `${payload}.${base64UrlEncode(new Uint8Array(signature))}`;
}

/**
 * Checks a token's signature, then its expiry against `nowSeconds`. The signature is compared
 * by `crypto.subtle.verify`, which takes the same time wherever the bytes differ, so response
 * timing does not reveal how much of a forged signature was right.
 */
export async function verifyFileToken(
  secret: string,
  token: string,
  nowSeconds: number,
): Promise<FileTokenCheck> {
  const parts = token.split(".");
  if (parts.length !== 2) return { ok: false, reason: "malformed" };
  const [payload, signature] = parts as [string, string];
  const signatureBytes = base64UrlDecode(signature);
  if (!signatureBytes) return { ok: false, reason: "malformed" };

  const key = await hmacKey(secret);
  const valid = await crypto.subtle.verify(
    "HMAC",
    key,
    signatureBytes,
    encoder.encode(SIGNING_PREFIX + payload),
  );
  if (!valid) return { ok: false, reason: "bad_signature" };

  const grant = parseGrant(payload);
  if (!grant) return { ok: false, reason: "malformed" };
  if (grant.expiresAt <= nowSeconds) return { ok: false, reason: "expired" };
  return { ok: true, grant };
}

function parseGrant(payload: string): FileGrant | null {
  const bytes = base64UrlDecode(payload);
  if (!bytes) return null;
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const { k, n, t, e } = value;
    if (typeof k !== "string" || typeof n !== "string" || typeof t !== "string") return null;
    if (typeof e !== "number" || !Number.isInteger(e)) return null;
    return { key: k, fileName: n, contentType: t, expiresAt: e };
  } catch {
    return null;
  }
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64UrlDecode(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}
