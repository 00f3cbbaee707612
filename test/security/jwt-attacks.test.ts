import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { users } from "../../src/db/schema";
import { type Bindings, loadConfig } from "../../src/env";
import { withDatabase } from "../helpers/database";
import { api } from "../helpers/http";
import {
  base64url,
  expectError,
  jwtPayload,
  meStatus,
  type Session,
  signInAs,
} from "./security-helpers";

// Every forged token goes to GET /api/me/ (any signed-in user) and POST
// /api/auth/token/verify/, through the Worker's fetch handler. Claim-level attacks are signed
// with the real JWT_SECRET, so the claim check, not the signature, is what rejects them.

const config = loadConfig(env as unknown as Bindings);
const secret = new TextEncoder().encode(config.JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);

/** Re-signs the claims of a real access token, with `changes` applied, as HS256. */
function resign(access: string, changes: Record<string, unknown>, key: Uint8Array = secret) {
  return new SignJWT({ ...jwtPayload(access), ...changes })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(key);
}

async function expectTokenRejected(token: string) {
  await expectError(await api("GET", "/api/me/", { token }), 401, "token_not_valid");
  const verify = await api("POST", "/api/auth/token/verify/", { json: { token } });
  await expectError(verify, 401, "token_not_valid");
}

/** The hostile tokens built from one real session, by attack name. */
async function forgedTokens(session: Session): Promise<Record<string, string>> {
  const claims = jwtPayload(session.access);
  const [header, payload, signature] = session.access.split(".");
  const rsa = await generateKeyPair("RS256", { extractable: true });
  const publicPem = await exportSPKI(rsa.publicKey);
  const elevated = base64url({ ...claims, role: "ADMIN" });
  return {
    "alg none": new UnsecuredJWT(claims).encode(),
    "alg none with the original signature": `${base64url({ alg: "none" })}.${payload}.${signature}`,
    "alg NONE in capitals": `${base64url({ alg: "NONE", typ: "JWT" })}.${payload}.`,
    "RS256 signed with an attacker's key pair": await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", jwk: await exportJWK(rsa.publicKey) })
      .sign(rsa.privateKey),
    "HS256 keyed with a public key as the secret": await resign(
      session.access,
      {},
      new TextEncoder().encode(publicPem),
    ),
    "HS512 keyed with the secret written twice": await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS512" })
      .sign(new Uint8Array([...secret, ...secret])),
    "HS256 with a wrong secret": await resign(
      session.access,
      {},
      new TextEncoder().encode("not-the-secret-but-long-enough-0123456789"),
    ),
    "HS256 with a one-byte zero secret": await resign(session.access, {}, new Uint8Array(1)),
    expired: await resign(session.access, { iat: now() - 3600, exp: now() - 60 }),
    "not valid before a future nbf": await resign(session.access, { nbf: now() + 3600 }),
    "issued in the future (iat)": await resign(session.access, {
      iat: now() + 3600,
      exp: now() + 7200,
    }),
    "wrong iss": await resign(session.access, { iss: "someone-else" }),
    "no iss": await resign(session.access, { iss: undefined }),
    "wrong aud": await resign(session.access, { aud: "another-app" }),
    "no aud": await resign(session.access, { aud: undefined }),
    "no exp": await resign(session.access, { exp: undefined }),
    "token_type refresh": await resign(session.access, { token_type: "refresh" }),
    "refresh token as access token": session.refresh,
    "payload changed to role ADMIN, signature kept": `${header}.${elevated}.${signature}`,
    "user_id of another user, sub kept": await resign(session.access, {
      user_id: (claims.user_id as number) + 1,
    }),
    "forged security stamp": await resign(session.access, { stamp: "forged" }),
    "session id of another session": await resign(session.access, {
      sid: (claims.sid as number) + 1_000_000,
    }),
    "two segments only": `${header}.${payload}`,
    "an empty signature": `${header}.${payload}.`,
  };
}

describe("JWT attacks against GET /api/me/ and POST /api/auth/token/verify/", () => {
  it("GET /api/me/ accepts the genuine access token (control)", async () => {
    const session = await signInAs("APPLICANT");
    expect(await meStatus(session.access)).toBe(200);
    const verify = await api("POST", "/api/auth/token/verify/", {
      json: { token: session.access },
    });
    expect(verify.status).toBe(200);
  });

  it("answers 401 token_not_valid to every forged or altered token", async () => {
    const session = await signInAs("APPLICANT");
    const tokens = await forgedTokens(session);
    for (const [attack, token] of Object.entries(tokens)) {
      const response = await api("GET", "/api/me/", { token });
      expect(response.status, attack).toBe(401);
      await expectTokenRejected(token);
    }
    // The attacks did not spoil the genuine token.
    expect(await meStatus(session.access)).toBe(200);
  });

  it("GET /api/admins/ answers 403 to a validly signed token claiming role ADMIN", async () => {
    const session = await signInAs("APPLICANT");
    const token = await resign(session.access, { role: "ADMIN" });
    await expectError(await api("GET", "/api/admins/", { token }), 403, "permission_denied");
  });

  it("GET /api/me/ rejects a user deactivated by an admin", async () => {
    const admin = await signInAs("ADMIN");
    const staff = await signInAs("STAFF");
    const path = `/api/staff/${staff.user.id}/deactivate/`;
    expect((await api("POST", path, { token: admin.access })).status).toBe(200);
    await expectTokenRejected(staff.access);
  });

  it("GET /api/me/ rejects a user deactivated in the database", async () => {
    const session = await signInAs("APPLICANT");
    await withDatabase(({ db }) =>
      db.update(users).set({ isActive: false }).where(eq(users.id, session.user.id)),
    );
    await expectTokenRejected(session.access);
  });

  it("GET /api/me/ rejects a session ended by logout", async () => {
    const session = await signInAs("APPLICANT");
    const other = await signInAs("APPLICANT");
    const logout = await api("POST", "/api/auth/logout/", { json: { refresh: session.refresh } });
    expect(logout.status).toBe(200);
    await expectTokenRejected(session.access);
    expect(await meStatus(other.access)).toBe(200);
  });

  it("GET /api/me/ answers 401 to every access token after POST /api/auth/logout-all/", async () => {
    const session = await signInAs("APPLICANT");
    const second = await loginAgain(session);
    const logout = await api("POST", "/api/auth/logout-all/", { token: session.access });
    expect(logout.status).toBe(200);
    await expectTokenRejected(session.access);
    await expectTokenRejected(second);
  });

  it("GET /api/me/ answers 401 to other sessions' tokens after a password change", async () => {
    const session = await signInAs("APPLICANT");
    const second = await loginAgain(session);
    const change = await api("POST", "/api/auth/change-password/", {
      token: session.access,
      json: { old_password: session.password, new_password: "Sandi-Baru-Yang-Kuat-42!" },
    });
    expect(change.status).toBe(200);
    await expectTokenRejected(second);
    await expectTokenRejected(session.access);
  });
});

async function loginAgain(session: Session): Promise<string> {
  const response = await api("POST", "/api/auth/token/", {
    json: { email: session.user.email, password: session.password },
  });
  expect(response.status).toBe(200);
  return (await response.json<{ data: { access: string } }>()).data.access;
}
