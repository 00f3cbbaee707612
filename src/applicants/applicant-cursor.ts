import { z } from "@hono/zod-openapi";
import { fieldError } from "../lib/errors";

/** Direction of a cursor: the page after its row, or the page before it. */
export type CursorDirection = "next" | "previous";

/** Cursor contents: the ordering it was made for, a direction and the row's key values. */
export interface CursorPosition {
  ordering: string;
  direction: CursorDirection;
  values: string[];
}

const PayloadSchema = z.object({
  o: z.string().max(300),
  d: z.enum(["n", "p"]),
  v: z.array(z.string().max(400)).min(1).max(10),
});

const MAX_CURSOR_LENGTH = 4096;
const SIGNATURE_BYTES = 16;
const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

const invalidCursor = () =>
  fieldError("cursor", "Cursor tidak valid. Mulai lagi dari halaman pertama tanpa cursor.");

/**
 * Encodes a position as `<payload>.<signature>`, both base64url. The HMAC stops clients from
 * forging key values, so a cursor only ever points at a row the server handed out.
 */
export async function encodeCursor(position: CursorPosition, secret: string): Promise<string> {
  const payload = base64UrlEncode(
    encoder.encode(
      JSON.stringify({
        o: position.ordering,
        d: position.direction === "next" ? "n" : "p",
        v: position.values,
      }),
    ),
  );
  return `${payload}.${await sign(payload, secret)}`;
}

/**
 * Decodes and verifies a cursor made for `ordering`. A malformed, tampered or foreign cursor
 * (one made for another ordering) is a 400 `validation_error` on `cursor`.
 */
export async function decodeCursor(
  cursor: string,
  ordering: string,
  secret: string,
): Promise<CursorPosition> {
  const [payload, signature, extra] = cursor.split(".");
  if (!payload || !signature || extra !== undefined || cursor.length > MAX_CURSOR_LENGTH) {
    throw invalidCursor();
  }
  if (!(await verify(payload, signature, secret))) throw invalidCursor();

  const parsed = PayloadSchema.safeParse(parseJson(payload));
  if (!parsed.success || parsed.data.o !== ordering) throw invalidCursor();
  return {
    ordering,
    direction: parsed.data.d === "n" ? "next" : "previous",
    values: parsed.data.v,
  };
}

function parseJson(payload: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(base64UrlDecode(payload)));
  } catch {
    return undefined;
  }
}

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    // A purpose label keeps these signatures apart from the JWTs signed with the same secret.
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(`applicant-list-cursor:${secret}`),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keyCache.set(secret, key);
  }
  return key;
}

async function sign(payload: string, secret: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(payload));
  return base64UrlEncode(new Uint8Array(mac).slice(0, SIGNATURE_BYTES));
}

async function verify(payload: string, signature: string, secret: string): Promise<boolean> {
  const expected = encoder.encode(await sign(payload, secret));
  const actual = encoder.encode(signature);
  // Constant-time comparison, so response timing reveals nothing about the right signature.
  return (
    expected.byteLength === actual.byteLength && crypto.subtle.timingSafeEqual(expected, actual)
  );
}

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64UrlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}
