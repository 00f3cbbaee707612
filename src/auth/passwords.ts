import type { Config } from "../env";
import { COMMON_PASSWORDS } from "./common-passwords";

export type PasswordConfig = Pick<Config, "PASSWORD_PEPPER" | "PASSWORD_ITERATIONS">;

/**
 * Production Workers reject WebCrypto PBKDF2 with more than 100,000 iterations, while local
 * workerd and Node accept any count, so the cap is enforced here and not left to the runtime.
 */
export const MAX_PBKDF2_ITERATIONS = 100_000;

/** Algorithm name in stored hashes: PBKDF2-HMAC-SHA256 over HMAC-SHA256(pepper, password). */
export const PASSWORD_ALGORITHM = "pbkdf2_sha256_peppered";

/** The message for a new password that equals the current one. */
export const PASSWORD_UNCHANGED = "Kata sandi baru harus berbeda dari kata sandi lama.";

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/** Same threshold as Django's UserAttributeSimilarityValidator. */
const MAX_EMAIL_SIMILARITY = 0.7;
const SALT_BYTES = 16;
const HASH_BITS = 256;

const encoder = new TextEncoder();

/**
 * C0 and C1 control characters (`\p{Cc}`) and lone UTF-16 surrogates (`\p{Cs}`). A password
 * with them cannot be typed back reliably, and TextEncoder turns every lone surrogate into
 * U+FFFD, so two different passwords would hash the same.
 */
const UNTYPEABLE_CHARACTERS = /[\p{Cc}\p{Cs}]/u;

interface ParsedHash {
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

/**
 * Hashes a password for storage as `pbkdf2_sha256_peppered$<iterations>$<salt>$<hash>`, with
 * a random 128-bit salt and base64 salt and hash.
 */
export async function hashPassword(password: string, config: PasswordConfig): Promise<string> {
  const iterations = checkedIterations(config.PASSWORD_ITERATIONS);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations, config.PASSWORD_PEPPER);
  return [PASSWORD_ALGORITHM, iterations, toBase64(salt), toBase64(hash)].join("$");
}

/**
 * Checks a password against a stored hash. A null or unreadable `stored` value still runs one
 * full derivation, so a login for an unknown email takes as long as a wrong password.
 * `needsRehash` is true when the hash was made with other parameters than the current ones.
 */
export async function verifyPassword(
  password: string,
  stored: string | null,
  config: PasswordConfig,
): Promise<{ valid: boolean; needsRehash: boolean }> {
  const iterations = checkedIterations(config.PASSWORD_ITERATIONS);
  const parsed = stored === null ? null : parseHash(stored);
  if (!parsed) {
    const dummySalt = new Uint8Array(SALT_BYTES);
    await derive(password, dummySalt, iterations, config.PASSWORD_PEPPER);
    return { valid: false, needsRehash: false };
  }

  const candidate = await derive(password, parsed.salt, parsed.iterations, config.PASSWORD_PEPPER);
  const valid = constantTimeEqual(candidate, parsed.hash);
  return { valid, needsRehash: valid && parsed.iterations !== iterations };
}

/**
 * Returns the Indonesian messages for every rule the password breaks, or [] when it is
 * acceptable. With `email`, the password must not be too similar to the address.
 */
export function checkPasswordRules(password: string, email?: string): string[] {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) {
    problems.push(`Kata sandi terlalu pendek. Minimal ${MIN_PASSWORD_LENGTH} karakter.`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    problems.push(`Kata sandi terlalu panjang. Maksimal ${MAX_PASSWORD_LENGTH} karakter.`);
  }
  if (UNTYPEABLE_CHARACTERS.test(password)) {
    problems.push("Kata sandi tidak boleh berisi karakter kontrol (misalnya NUL atau tab).");
  }
  if (/^\d+$/.test(password)) {
    problems.push("Kata sandi tidak boleh hanya berisi angka.");
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    problems.push("Kata sandi ini terlalu umum. Gunakan kata sandi lain.");
  }
  if (email && isTooSimilarToEmail(password, email)) {
    problems.push("Kata sandi terlalu mirip dengan alamat email.");
  }
  return problems;
}

/**
 * True when the password resembles the email, its local part, or a word of the local part
 * (split at non-alphanumeric characters) with a similarity ratio of 0.7 or more.
 */
export function isTooSimilarToEmail(password: string, email: string): boolean {
  const lowered = password.toLowerCase();
  const address = email.toLowerCase();
  const localPart = address.split("@")[0] ?? "";
  const candidates = [address, localPart, ...localPart.split(/[^\p{L}\p{N}]+/u)];
  return candidates
    .filter((candidate) => candidate.length > 0)
    .some((candidate) => similarityRatio(lowered, candidate) >= MAX_EMAIL_SIMILARITY);
}

/**
 * Ratcliff/Obershelp similarity, 2·M / (|a| + |b|), where M counts the characters of the
 * longest common substring plus, recursively, the matches to its left and right.
 */
export function similarityRatio(a: string, b: string): number {
  const total = a.length + b.length;
  if (total === 0) return 1;
  return (2 * matchingCharacters(a, b)) / total;
}

function matchingCharacters(a: string, b: string): number {
  const match = longestCommonSubstring(a, b);
  if (match.length === 0) return 0;
  const left = matchingCharacters(a.slice(0, match.startA), b.slice(0, match.startB));
  const right = matchingCharacters(
    a.slice(match.startA + match.length),
    b.slice(match.startB + match.length),
  );
  return match.length + left + right;
}

function longestCommonSubstring(a: string, b: string) {
  let best = { startA: 0, startB: 0, length: 0 };
  // previous[j] is the length of the common suffix of a[..i-1] and b[..j] (dynamic programming).
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] !== b[j - 1]) continue;
      const length = (previous[j - 1] ?? 0) + 1;
      current[j] = length;
      if (length > best.length) best = { startA: i - length, startB: j - length, length };
    }
    previous = current;
  }
  return best;
}

function checkedIterations(iterations: number): number {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be 1..${MAX_PBKDF2_ITERATIONS}`);
  }
  return iterations;
}

/** Parses a stored hash; null for another algorithm, bad encoding or iterations above the cap. */
function parseHash(stored: string): ParsedHash | null {
  const [algorithm, iterationText, saltText, hashText, ...rest] = stored.split("$");
  if (algorithm !== PASSWORD_ALGORITHM || rest.length > 0) return null;
  if (!iterationText || !/^\d{1,7}$/.test(iterationText) || !saltText || !hashText) return null;

  const iterations = Number(iterationText);
  if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) return null;
  try {
    const hash = fromBase64(hashText);
    if (hash.length !== HASH_BITS / 8) return null;
    return { iterations, salt: fromBase64(saltText), hash };
  } catch {
    return null;
  }
}

/**
 * HMAC with the pepper first, so a stolen database alone cannot be brute-forced: the pepper
 * is a Worker secret and never stored with the hashes.
 */
async function derive(
  password: string,
  salt: Uint8Array,
  iterations: number,
  pepper: string,
): Promise<Uint8Array> {
  const pepperKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(pepper),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const peppered = await crypto.subtle.sign("HMAC", pepperKey, encoder.encode(password));
  const baseKey = await crypto.subtle.importKey("raw", peppered, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    baseKey,
    HASH_BITS,
  );
  return new Uint8Array(bits);
}

/** Compares every byte whatever the first difference, so timing does not leak the hash. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) {
    difference |= (a[index] ?? 0) ^ (b[index] ?? 0);
  }
  return difference === 0;
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
}
