import { and, eq } from "drizzle-orm";
import { generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import {
  GOOGLE_CLIENT_ID as CLIENT_ID,
  fakesUrl,
  googleClaims,
  signGoogleToken as googleToken,
} from "../../test/helpers/google";
import { api, readJson, uniqueEmail } from "../../test/helpers/http";
import { createTestUser } from "../../test/helpers/users";
import { applicantProfiles, auditEvents, sessions, users } from "../db/schema";
import { createLogger } from "../lib/logger";
import { verifyGoogleIdToken } from "./google.service";

const PATH = "/api/auth/google/";
async function signIn(idToken: string) {
  const response = await api("POST", PATH, { json: { id_token: idToken } });
  return { response, body: await readJson(response) };
}

async function findUserByEmail(email: string) {
  return withDatabase(async ({ db }) => {
    const [user] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
    return user;
  });
}

async function countSessions(userId: number) {
  const rows = await withDatabase(({ db }) =>
    db.select().from(sessions).where(eq(sessions.userId, userId)),
  );
  return rows.length;
}

describe("POST /api/auth/google/", () => {
  it("POST /api/auth/google/ creates an applicant for a new Google account", async () => {
    const claims = googleClaims();

    const { response, body } = await signIn(await googleToken(claims));

    expect(response.status).toBe(201);
    expect(body.data.needs_registration).toBe(true);
    expect(body.data.user).toMatchObject({
      email: claims.email,
      full_name: "Budi Santoso",
      role: "APPLICANT",
      email_verified: true,
    });
    expect(body.data.access).toEqual(expect.any(String));
    expect(response.headers.getAll("Set-Cookie").join("\n")).toContain("kms_refresh=");

    const user = await findUserByEmail(claims.email);
    expect(user).toMatchObject({ googleId: claims.sub, emailVerified: true, passwordHash: null });
    expect(user?.emailVerifiedAt).toBeInstanceOf(Date);
    const { profiles, audits } = await withDatabase(async ({ db }) => ({
      profiles: await db
        .select()
        .from(applicantProfiles)
        .where(eq(applicantProfiles.userId, user!.id)),
      audits: await db
        .select()
        .from(auditEvents)
        .where(
          and(eq(auditEvents.targetUserId, user!.id), eq(auditEvents.action, "google_sign_in")),
        ),
    }));
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({ nik: null, verificationStatus: "DRAFT" });
    // The Google name is 1 of the 11 scored fields: 60 / 11.
    expect(Number(profiles[0]!.score)).toBe(5.5);
    expect(audits.map((audit) => audit.details)).toEqual([{ outcome: "created" }]);
  });

  it("POST /api/auth/google/ signs in the account already linked to the Google id", async () => {
    const claims = googleClaims();
    await signIn(await googleToken(claims));

    // Google ids outlive email changes: the same `sub` with a new email finds the same user.
    const { response, body } = await signIn(
      await googleToken({ ...claims, email: uniqueEmail("renamed") }),
    );

    expect(response.status).toBe(200);
    expect(body.code).toBe("login_success");
    expect(body.data.user.email).toBe(claims.email);
    expect(body.data.needs_registration).toBe(true);
  });

  it("POST /api/auth/google/ accepts the issuer without a scheme", async () => {
    const { response } = await signIn(
      await googleToken(googleClaims({ iss: "accounts.google.com" })),
    );

    expect(response.status).toBe(201);
  });

  it("POST /api/auth/google/ links a verified account with the same email", async () => {
    const { user: staff } = await createTestUser({ role: "STAFF", emailVerified: true });
    const claims = googleClaims({ email: staff.email.toUpperCase() });

    const { response, body } = await signIn(await googleToken(claims));

    expect(response.status).toBe(200);
    expect(body.data.user.id).toBe(staff.id);
    expect(body.data.needs_registration).toBe(false);
    expect((await findUserByEmail(staff.email))?.googleId).toBe(claims.sub);
  });

  it("POST /api/auth/google/ reports needs_registration false for an applicant with a NIK", async () => {
    const { user } = await createTestUser({ emailVerified: true });
    await withDatabase(({ db }) =>
      db
        .update(applicantProfiles)
        .set({ nik: `32${Date.now()}`.padEnd(16, "7").slice(0, 16) })
        .where(eq(applicantProfiles.userId, user.id)),
    );

    const { body } = await signIn(await googleToken(googleClaims({ email: user.email })));

    expect(body.data.needs_registration).toBe(false);
  });

  it("POST /api/auth/google/ answers 400 and links nothing for an unverified email", async () => {
    const { user } = await createTestUser({ emailVerified: false });

    const { response, body } = await signIn(await googleToken(googleClaims({ email: user.email })));

    expect(response.status).toBe(400);
    expect(body.code).toBe("email_not_verified");
    expect((await findUserByEmail(user.email))?.googleId).toBeNull();
    expect(await countSessions(user.id)).toBe(0);
  });

  it("POST /api/auth/google/ answers 400 when the email is linked to another Google account", async () => {
    const { user } = await createTestUser({ emailVerified: true });
    await signIn(await googleToken(googleClaims({ email: user.email, sub: "111111111" })));

    const { response, body } = await signIn(
      await googleToken(googleClaims({ email: user.email, sub: "222222222" })),
    );

    expect(response.status).toBe(400);
    expect(body.code).toBe("google_account_mismatch");
    expect((await findUserByEmail(user.email))?.googleId).toBe("111111111");
  });

  it("POST /api/auth/google/ answers 403 for a deactivated linked account", async () => {
    const claims = googleClaims();
    const { body: created } = await signIn(await googleToken(claims));
    await withDatabase(({ db }) =>
      db.update(users).set({ isActive: false }).where(eq(users.id, created.data.user.id)),
    );
    const sessionsBefore = await countSessions(created.data.user.id);

    const { response, body } = await signIn(await googleToken(claims));

    expect(response.status).toBe(403);
    expect(body.code).toBe("account_inactive");
    expect(await countSessions(created.data.user.id)).toBe(sessionsBefore);
  });

  it("POST /api/auth/google/ answers 403 for a deactivated account with the same email", async () => {
    const { user } = await createTestUser({ emailVerified: true, isActive: false });

    const { response, body } = await signIn(await googleToken(googleClaims({ email: user.email })));

    expect(response.status).toBe(403);
    expect(body.code).toBe("account_inactive");
    expect((await findUserByEmail(user.email))?.googleId).toBeNull();
  });

  const rejectedClaims: [string, Record<string, unknown>][] = [
    ["another client id", { aud: "someone-else.apps.googleusercontent.com" }],
    ["another issuer", { iss: "https://evil.example" }],
    ["an expired token", { iat: 1_600_000_000, exp: 1_600_003_600 }],
    ["an unverified Google email", { email_verified: false }],
    ["a missing email", { email: undefined }],
    ["an email longer than 254 characters", { email: `${"a".repeat(250)}@x.test` }],
    ["an empty subject", { sub: "" }],
  ];

  for (const [name, overrides] of rejectedClaims) {
    it(`POST /api/auth/google/ answers 401 for ${name}`, async () => {
      const claims = googleClaims(overrides);

      const { response, body } = await signIn(await googleToken(claims));

      expect(response.status).toBe(401);
      expect(body.code).toBe("permission_denied");
      if (typeof claims.email === "string")
        expect(await findUserByEmail(claims.email)).toBeUndefined();
    });
  }

  it("POST /api/auth/google/ answers 401 for a token signed by another key", async () => {
    const certs = await fetch(`${fakesUrl()}/google/certs`);
    const { keys } = (await certs.json()) as { keys: { kid: string }[] };
    const { privateKey } = await generateKeyPair("RS256");

    // An unknown kid, and the kid of Google's key on a token signed by a different key.
    for (const kid of ["not-a-google-key", keys[0]!.kid]) {
      const claims = googleClaims();
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid })
        .sign(privateKey);

      const { response, body } = await signIn(token);

      expect(response.status).toBe(401);
      expect(body.code).toBe("permission_denied");
      expect(await findUserByEmail(claims.email)).toBeUndefined();
    }
  });

  it("POST /api/auth/google/ answers 401 for an HS256 token", async () => {
    const claims = googleClaims();
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("a-shared-secret-that-google-never-uses"));

    const { response } = await signIn(token);

    expect(response.status).toBe(401);
    expect(await findUserByEmail(claims.email)).toBeUndefined();
  });

  it("POST /api/auth/google/ answers 401 for a tampered payload", async () => {
    const claims = googleClaims();
    const [header, , signature] = (await googleToken(claims)).split(".");
    const forged = btoa(JSON.stringify({ ...claims, email: uniqueEmail("forged") }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");

    const { response } = await signIn(`${header}.${forged}.${signature}`);

    expect(response.status).toBe(401);
  });

  it("POST /api/auth/google/ answers 401 for a token that is not a JWT", async () => {
    const { response, body } = await signIn("bukan-token");

    expect(response.status).toBe(401);
    expect(body.code).toBe("permission_denied");
  });

  it("POST /api/auth/google/ answers 400 for a missing or oversized id_token", async () => {
    for (const json of [{}, { id_token: "" }, { id_token: 42 }, { id_token: "x".repeat(8193) }]) {
      const response = await api("POST", PATH, { json });
      const body = await readJson(response);

      expect(response.status).toBe(400);
      expect(Object.keys(body.errors)).toEqual(["id_token"]);
    }
  });
});

describe("verifyGoogleIdToken", () => {
  it("answers 503 when the key set cannot be fetched", async () => {
    const config = {
      GOOGLE_JWKS_URL: `${fakesUrl()}/google/unavailable`,
      GOOGLE_CLIENT_IDS: [CLIENT_ID],
    };
    const token = await googleToken(googleClaims());

    const failure = await verifyGoogleIdToken(config, token, createLogger()).catch(
      (error) => error,
    );

    expect(failure).toMatchObject({ status: 503, code: "service_unavailable" });
  });
});
