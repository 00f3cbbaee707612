import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type OneTimeTokenPurpose, oneTimeTokens, users } from "../db/schema";

/** 32 random bytes: a 256-bit token, which no one can guess by trying links. */
const TOKEN_BYTES = 32;

export interface IssuedOneTimeToken {
  id: number;
  /** The raw token for the emailed link. Only its SHA-256 hash is stored. */
  token: string;
}

/** Inserts a one-time token for `user` that expires after `ttlSeconds`. */
export async function issueOneTimeToken(
  db: Database,
  user: { id: number; email: string },
  purpose: OneTimeTokenPurpose,
  ttlSeconds: number,
): Promise<IssuedOneTimeToken> {
  const token = randomToken();
  const [row] = await db
    .insert(oneTimeTokens)
    .values({
      userId: user.id,
      purpose,
      tokenHash: await hashToken(token),
      email: user.email,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    })
    .returning({ id: oneTimeTokens.id });
  if (!row) throw new Error("one-time token insert returned no row");
  return { id: row.id, token };
}

/** A stored token together with the current state of its user. */
export interface OneTimeTokenWithUser {
  token: typeof oneTimeTokens.$inferSelect;
  user: typeof users.$inferSelect;
}

/**
 * Finds a token by its raw value and purpose. Returns it even when it is used, expired or
 * addressed to an old email, so callers can tell these cases apart with `isTokenUsable`.
 */
export async function findOneTimeToken(
  db: Database,
  rawToken: string,
  purpose: OneTimeTokenPurpose,
): Promise<OneTimeTokenWithUser | null> {
  const [row] = await db
    .select({ token: oneTimeTokens, user: users })
    .from(oneTimeTokens)
    .innerJoin(users, eq(users.id, oneTimeTokens.userId))
    .where(
      and(
        eq(oneTimeTokens.tokenHash, await hashToken(rawToken)),
        eq(oneTimeTokens.purpose, purpose),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** Finds a token by id, with its user, for the email consumer. */
export async function findOneTimeTokenById(
  db: Database,
  id: number,
): Promise<OneTimeTokenWithUser | null> {
  const [row] = await db
    .select({ token: oneTimeTokens, user: users })
    .from(oneTimeTokens)
    .innerJoin(users, eq(users.id, oneTimeTokens.userId))
    .where(eq(oneTimeTokens.id, id))
    .limit(1);
  return row ?? null;
}

/**
 * Tells whether a token can still be used: not used, not expired, and sent to the address the
 * user has now. A link sent to an old address dies when the email changes.
 */
export function isTokenUsable({ token, user }: OneTimeTokenWithUser, now = new Date()): boolean {
  return token.usedAt === null && token.expiresAt > now && token.email === user.email;
}

/** SQLSTATE of division_by_zero, which `claimTokenStatement` raises to abort its transaction. */
const CLAIM_FAILED_SQLSTATE = "22012";

/**
 * Builds the statement, for `runAtomic`, that marks a token used if it is still usable: unused,
 * unexpired, sent to the user's current address, and the user active when `requireActive`.
 * Statements in `runAtomic` cannot branch on each other's results, so when no row qualifies
 * this one divides by zero, which aborts the whole transaction on both drivers. The row lock
 * taken by the update makes a concurrent second claim of the same token fail the same way.
 * Check for that failure with `isClaimFailure`.
 */
export function claimTokenStatement(db: Database, tokenId: number, requireActive: boolean) {
  return db.execute(sql`
    with claimed as (
      update one_time_tokens as t set used_at = now()
      from users as u
      where t.id = ${tokenId}
        and t.used_at is null
        and t.expires_at > now()
        and u.id = t.user_id
        and u.email = t.email
        and (u.is_active or not ${requireActive})
      returning t.id
    )
    select 1 / count(*) as claimed from claimed`);
}

/** Tells whether an error from `runAtomic` is a failed `claimTokenStatement`. */
export function isClaimFailure(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === CLAIM_FAILED_SQLSTATE) return true;
  }
  return false;
}

/**
 * Builds the statement that marks every unused token of the user as used: those of `purpose`,
 * or of every purpose when `purpose` is "all". Marking them used kills them for good, while
 * the address check of `isTokenUsable` alone would revive a link when the email changes back.
 */
export function useAllTokensStatement(
  db: Database,
  userId: number,
  purpose: OneTimeTokenPurpose | "all",
) {
  return db
    .update(oneTimeTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(oneTimeTokens.userId, userId),
        purpose === "all" ? undefined : eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
      ),
    );
}

/** Hex SHA-256 of a raw token, the form stored in `one_time_tokens.token_hash`. */
export async function hashToken(rawToken: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(rawToken));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Encodes a user id as the `uid` of a reset link: base64url of its decimal digits. */
export function encodeUid(userId: number): string {
  return base64url(new TextEncoder().encode(String(userId)));
}

/** Decodes the `uid` of a reset link, or returns null for anything but a positive 32-bit id. */
export function decodeUid(uid: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(uid)) return null;
  let decoded: string;
  try {
    decoded = atob(uid.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
  if (!/^[1-9][0-9]{0,9}$/.test(decoded)) return null;
  const id = Number(decoded);
  return id <= 2_147_483_647 ? id : null;
}

function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)));
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
