import { z } from "@hono/zod-openapi";
import { and, eq, isNull, sql } from "drizzle-orm";
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
import { recomputeScoreStatement } from "../applicants/score";
import type { ServiceContext } from "../context";
import { runAtomic } from "../db/client";
import { applicantProfiles, users } from "../db/schema";
import type { Config } from "../env";
import { auditInsert } from "../lib/audit";
import { AppError, permissionDenied } from "../lib/errors";
import { describeError } from "../lib/logger";
import { emailAddress, hasForbiddenCharacters, singleLineText } from "../lib/text";
import { violatedUniqueConstraint } from "../users/database-errors";
import { newSecurityStamp, queryRows } from "./sessions.service";

type User = typeof users.$inferSelect;

/** Google issues ID tokens under either spelling of its issuer. */
const GOOGLE_ISSUERS = ["accounts.google.com", "https://accounts.google.com"];

/** Size of `users.google_id`. */
const MAX_GOOGLE_ID_LENGTH = 255;
const MAX_FULL_NAME_LENGTH = 150;

/**
 * The claims that sign-in stores. They come from Google, but are checked like request input,
 * because a NUL or an address that is not an email would otherwise reach the database.
 */
const GoogleClaimsSchema = z.object({
  sub: singleLineText({ max: MAX_GOOGLE_ID_LENGTH, min: 1 }),
  email: emailAddress,
  // Google has sent `email_verified` both as a boolean and as the string "true".
  email_verified: z.union([z.literal(true), z.literal("true")]),
});

const TOKEN_INVALID = "Token Google tidak valid atau sudah kedaluwarsa.";

/** The claims of a verified Google ID token that sign-in uses. */
export interface GoogleIdentity {
  /** Google's stable account id (`sub`), which stays the same when the email changes. */
  googleId: string;
  email: string;
  fullName: string;
}

export interface GoogleSignIn {
  user: User;
  created: boolean;
  /** True for an applicant whose profile has no NIK yet, so the app requests the KTP. */
  needsRegistration: boolean;
}

// One key set per URL and isolate. jose 6 caches the fetched keys and refetches them for an
// unknown `kid` once its cooldown (30 s by default) has passed, so key rotation needs no restart.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function googleKeySet(url: string) {
  let keySet = keySets.get(url);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(url));
    keySets.set(url, keySet);
  }
  return keySet;
}

/**
 * Verifies a Google ID token: RS256 signature by a key of GOOGLE_JWKS_URL, `aud` in
 * GOOGLE_CLIENT_IDS, Google's issuer, not expired, and `email_verified` true. Any failure of
 * the token is a 401 `permission_denied`, and an unreachable key set is a 503.
 */
export async function verifyGoogleIdToken(
  config: Pick<Config, "GOOGLE_JWKS_URL" | "GOOGLE_CLIENT_IDS">,
  idToken: string,
  logger: ServiceContext["logger"],
): Promise<GoogleIdentity> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, googleKeySet(config.GOOGLE_JWKS_URL), {
      algorithms: ["RS256"],
      audience: config.GOOGLE_CLIENT_IDS,
      issuer: GOOGLE_ISSUERS,
    }));
  } catch (error) {
    if (isKeySetUnavailable(error)) {
      logger.error("google key set unavailable", describeError(error));
      throw new AppError(
        503,
        "service_unavailable",
        "Layanan masuk dengan Google sedang tidak tersedia. Coba lagi nanti.",
      );
    }
    logger.warn("google token rejected", {
      reason: (error as { code?: string }).code ?? "unknown",
    });
    throw permissionDenied(TOKEN_INVALID, 401);
  }
  return identityFromClaims(payload, logger);
}

/**
 * Tells failures to fetch or read the key set from tokens that fail verification. jose raises
 * the base JOSEError for a non-200 or non-JSON response, JWKSInvalid for a malformed key set
 * and JWKSTimeout for a timeout, and passes network errors through unchanged.
 */
function isKeySetUnavailable(error: unknown): boolean {
  if (!(error instanceof joseErrors.JOSEError)) return true;
  return (
    error instanceof joseErrors.JWKSTimeout ||
    error instanceof joseErrors.JWKSInvalid ||
    error.code === joseErrors.JOSEError.code
  );
}

function identityFromClaims(payload: JWTPayload, logger: ServiceContext["logger"]): GoogleIdentity {
  const claims = GoogleClaimsSchema.safeParse(payload);
  if (!claims.success) {
    const fields = [...new Set(claims.error.issues.map((issue) => String(issue.path[0])))];
    logger.warn("google token rejected", { reason: "invalid_claims", fields: fields.join(",") });
    throw permissionDenied(TOKEN_INVALID, 401);
  }
  return {
    googleId: claims.data.sub,
    email: claims.data.email,
    fullName: displayName(payload, logger),
  };
}

/**
 * The Google profile name, cut to the column size. A name with characters that text fields
 * reject becomes empty instead of failing the sign-in, and the user can set it later.
 */
function displayName(payload: JWTPayload, logger: ServiceContext["logger"]): string {
  const parts =
    typeof payload.name === "string"
      ? [payload.name]
      : [payload.given_name, payload.family_name].filter((part) => typeof part === "string");
  const name = parts.join(" ").trim().slice(0, MAX_FULL_NAME_LENGTH);
  if (hasForbiddenCharacters(name)) {
    logger.warn("google name dropped", { reason: "forbidden_characters" });
    return "";
  }
  return name;
}

/**
 * Finds or creates the user of a verified Google identity, in this order:
 * 1. the account already linked to the Google id;
 * 2. the account with the same email, linked now, but only when its email is verified;
 * 3. a new APPLICANT with a verified email and a DRAFT profile without NIK.
 * A concurrent sign-in of the same identity can make the insert or link hit a unique
 * constraint. The lookup then runs once more and finds the row the other request wrote.
 */
export async function signInWithGoogle(
  services: ServiceContext,
  identity: GoogleIdentity,
  ipHash: string | null,
): Promise<GoogleSignIn> {
  try {
    return await findOrCreateGoogleUser(services, identity, ipHash);
  } catch (error) {
    const constraint = violatedUniqueConstraint(error);
    if (constraint !== "users_email_key" && constraint !== "users_google_id_key") throw error;
    return findOrCreateGoogleUser(services, identity, ipHash);
  }
}

async function findOrCreateGoogleUser(
  services: ServiceContext,
  identity: GoogleIdentity,
  ipHash: string | null,
): Promise<GoogleSignIn> {
  const { db } = services;
  const [linked] = await db.select().from(users).where(eq(users.googleId, identity.googleId));
  if (linked) return signInExisting(services, linked, "existing", ipHash);

  const [sameEmail] = await db.select().from(users).where(eq(users.email, identity.email));
  if (!sameEmail) return createGoogleUser(services, identity, ipHash);

  assertActive(sameEmail);
  assertLinkable(sameEmail);
  const [updated] = await db
    .update(users)
    .set({ googleId: identity.googleId })
    .where(and(eq(users.id, sameEmail.id), isNull(users.googleId)))
    .returning();
  if (updated) return signInExisting(services, updated, "linked", ipHash);

  // Another request linked the account in between: this identity, or another Google account.
  const [current] = await db.select().from(users).where(eq(users.id, sameEmail.id));
  if (current?.googleId !== identity.googleId) throw googleAccountMismatch();
  return signInExisting(services, current, "existing", ipHash);
}

/**
 * Linking a Google account to an unverified email would let a password set by someone else at
 * registration keep working on the Google user's account: a pre-registration takeover. So an
 * unverified account gets 400 `email_not_verified`, not 401, because the token was valid and
 * the account is in the wrong state. The account is left unchanged.
 */
function assertLinkable(user: User) {
  if (!user.emailVerified) {
    throw new AppError(
      400,
      "email_not_verified",
      "Email ini sudah terdaftar tetapi belum diverifikasi. Masuk dengan email dan kata sandi, " +
        "lalu verifikasi email Anda sebelum masuk dengan Google.",
    );
  }
  if (user.googleId !== null) throw googleAccountMismatch();
}

/** Builds the error for an email whose user is linked to another Google account. */
function googleAccountMismatch() {
  return new AppError(
    400,
    "google_account_mismatch",
    "Email ini sudah terhubung dengan akun Google lain. Masuk dengan email dan kata sandi.",
  );
}

function assertActive(user: User) {
  if (!user.isActive) {
    throw new AppError(403, "account_inactive", "Akun Anda tidak aktif. Hubungi admin.");
  }
}

async function signInExisting(
  services: ServiceContext,
  user: User,
  outcome: "existing" | "linked",
  ipHash: string | null,
): Promise<GoogleSignIn> {
  assertActive(user);
  const [[updated]] = await runAtomic(services.database, (db) => [
    db.update(users).set({ lastLogin: sql`now()` }).where(eq(users.id, user.id)).returning(),
    auditInsert(db, {
      action: "google_sign_in",
      actorId: user.id,
      targetUserId: user.id,
      ipHash,
      details: { outcome },
    }),
  ]);
  const current = updated ?? user;
  return { user: current, created: false, needsRegistration: await lacksNik(services, current) };
}

async function lacksNik(services: ServiceContext, user: User): Promise<boolean> {
  if (user.role !== "APPLICANT") return false;
  const [profile] = await services.db
    .select({ nik: applicantProfiles.nik })
    .from(applicantProfiles)
    .where(eq(applicantProfiles.userId, user.id));
  return !profile?.nik;
}

/** Creates an APPLICANT with a verified email, no password and a DRAFT profile without NIK. */
async function createGoogleUser(
  services: ServiceContext,
  identity: GoogleIdentity,
  ipHash: string | null,
): Promise<GoogleSignIn> {
  const [ids] = await queryRows<{ user_id: string; profile_id: string }>(
    services.db,
    sql`select nextval(pg_get_serial_sequence('users', 'id')) as user_id,
               nextval(pg_get_serial_sequence('applicant_profiles', 'id')) as profile_id`,
  );
  if (!ids) throw new Error("nextval returned no row");
  const userId = Number(ids.user_id);
  const profileId = Number(ids.profile_id);

  const [[user]] = await runAtomic(services.database, (db) => [
    db
      .insert(users)
      .values({
        id: userId,
        email: identity.email,
        fullName: identity.fullName,
        role: "APPLICANT",
        emailVerified: true,
        emailVerifiedAt: sql`now()`,
        googleId: identity.googleId,
        securityStamp: newSecurityStamp(),
        lastLogin: sql`now()`,
      })
      .returning(),
    db.insert(applicantProfiles).values({ id: profileId, userId }),
    auditInsert(db, {
      action: "google_sign_in",
      actorId: userId,
      targetUserId: userId,
      applicantProfileId: profileId,
      ipHash,
      details: { outcome: "created" },
    }),
    // The Google name already counts towards the score.
    recomputeScoreStatement(db, profileId),
  ]);
  if (!user) throw new Error("user insert returned no row");
  return { user, created: true, needsRegistration: true };
}
