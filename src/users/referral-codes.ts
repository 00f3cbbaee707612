const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const CODE_LENGTH = 6;
// The largest multiple of 36 that fits in a byte. Bytes at or above it are drawn again, so
// `byte % 36` picks every character with the same probability (no modulo bias).
const UNBIASED_BYTE_LIMIT = 256 - (256 % ALPHABET.length);

const PREFIXES = { ADMIN: "A-", STAFF: "S-" } as const;

/**
 * Generates a referral code for a back-office user: `A-` (ADMIN) or `S-` (STAFF) followed by
 * 6 characters of A-Z0-9 from crypto.getRandomValues. Codes are not checked for uniqueness
 * here, so callers insert and retry on a collision with `users_referral_code_key`.
 */
export function generateReferralCode(role: "ADMIN" | "STAFF"): string {
  let suffix = "";
  while (suffix.length < CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(CODE_LENGTH * 2))) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      suffix += ALPHABET[byte % ALPHABET.length];
      if (suffix.length === CODE_LENGTH) break;
    }
  }
  return `${PREFIXES[role]}${suffix}`;
}
