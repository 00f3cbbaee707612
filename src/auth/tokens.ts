import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { UserRole } from "../db/schema";
import { USER_ROLES } from "../db/schema";
import type { Config } from "../env";
import { tokenNotValid } from "../lib/errors";

export type TokenConfig = Pick<
  Config,
  "JWT_SECRET" | "JWT_ISSUER" | "JWT_AUDIENCE" | "ACCESS_TOKEN_TTL_SECONDS"
>;

/** What an access token asserts once its signature and claims have been checked. */
export interface AccessClaims {
  userId: number;
  role: UserRole;
  sessionId: number;
  securityStamp: string;
  tokenId: string;
  expiresAt: number;
}

export interface AccessSubject {
  userId: number;
  role: UserRole;
  sessionId: number;
  securityStamp: string;
}

// Only HS256 is accepted, so a token with `alg: none` or an asymmetric algorithm whose
// "public key" is our secret can never pass verification.
const ALGORITHMS = ["HS256"];

const encoder = new TextEncoder();

const CLOCK_TOLERANCE_SECONDS = 5;

/** Signs a short-lived access token for one session of one user. */
export async function signAccessToken(config: TokenConfig, subject: AccessSubject) {
  return new SignJWT({
    token_type: "access",
    user_id: subject.userId,
    role: subject.role,
    sid: subject.sessionId,
    stamp: subject.securityStamp,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(String(subject.userId))
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${config.ACCESS_TOKEN_TTL_SECONDS}s`)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .sign(encoder.encode(config.JWT_SECRET));
}

/**
 * Verifies signature, algorithm, issuer, audience, expiry and the claim types. Throws 401
 * `token_not_valid` for any failure; it does not check whether the session is still open.
 */
export async function verifyAccessToken(config: TokenConfig, token: string) {
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, encoder.encode(config.JWT_SECRET), {
      algorithms: ALGORITHMS,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      requiredClaims: ["exp", "iat", "jti", "sub"],
      // Rejects a token whose `iat` is in the future, and one issued longer ago than the
      // access-token lifetime whatever its `exp` claim is. The tolerance covers clock skew
      // between the Workers that sign and verify.
      maxTokenAge: config.ACCESS_TOKEN_TTL_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    payload = verified.payload;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError || error instanceof TypeError) throw tokenNotValid();
    throw error;
  }
  return readAccessClaims(payload);
}

function readAccessClaims(payload: Record<string, unknown>): AccessClaims {
  const { token_type, user_id, role, sid, stamp, jti, exp, sub } = payload;
  const valid =
    token_type === "access" &&
    isPositiveInteger(user_id) &&
    sub === String(user_id) &&
    isPositiveInteger(sid) &&
    typeof stamp === "string" &&
    typeof jti === "string" &&
    typeof exp === "number" &&
    (USER_ROLES as readonly unknown[]).includes(role);
  if (!valid) throw tokenNotValid();
  return {
    userId: user_id,
    role: role as UserRole,
    sessionId: sid,
    securityStamp: stamp,
    tokenId: jti,
    expiresAt: exp,
  };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}
