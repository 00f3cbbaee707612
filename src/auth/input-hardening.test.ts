import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { waitForEmails } from "../../test/helpers/emails";
import { googleClaims, signGoogleToken } from "../../test/helpers/google";
import { api, readJson, uniqueEmail } from "../../test/helpers/http";
import { pngImage } from "../../test/helpers/images";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { applicantDocuments, applicantProfiles, sessions, users } from "../db/schema";
import { type Bindings, loadConfig } from "../env";
import { openSession } from "./sessions.service";

const ORIGIN = { Origin: "http://app.test" };
function uniqueNik(): string {
  const digits = crypto.getRandomValues(new Uint8Array(12));
  return `3201${[...digits].map((digit) => digit % 10).join("")}`;
}

async function registrationForm(extra: [string, string | File][] = []) {
  const form = new FormData();
  const email = uniqueEmail("keras");
  form.append("email", email);
  form.append("password", "Pelamar-Kuat-2024!");
  form.append("nik", uniqueNik());
  form.append("ktp", new File([await pngImage(4, 3)], "ktp.png", { type: "image/png" }));
  for (const [name, value] of extra) form.append(name, value);
  return { form, email };
}

async function findUser(email: string) {
  return withDatabase(async ({ db }) => {
    const [row] = await db.select().from(users).where(eq(users.email, email));
    return row;
  });
}

function googleToken(claims: Record<string, unknown>): Promise<string> {
  return signGoogleToken(googleClaims(claims));
}

describe("POST /api/auth/token/ with control characters", () => {
  it("answers 400 validation_error for a NUL in the email, not 500", async () => {
    const response = await api("POST", "/api/auth/token/", {
      json: { email: "a\u0000@x.com", password: "a\u0000b" },
    });
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe("validation_error");
    expect(body.errors.email).toHaveLength(1);
  });

  it("signs in with a padded, upper-case email", async () => {
    const { user, password } = await createTestUser();
    const response = await api("POST", "/api/auth/token/", {
      json: { email: `  ${user.email.toUpperCase()} `, password },
    });
    expect(response.status).toBe(200);
  });
});

describe("POST /api/auth/register/ input checks", () => {
  it("answers 400 for a NUL in full_name and creates no user", async () => {
    const { form, email } = await registrationForm([["full_name", "a\u0000b"]]);
    const response = await api("POST", "/api/auth/register/", { form });
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.errors.full_name).toHaveLength(1);
    expect(await findUser(email)).toBeUndefined();
  });

  it("answers 400 errors.password for a control character in the password", async () => {
    const { form, email } = await registrationForm();
    form.set("password", "Pelamar\u0000Kuat-2024!");
    const response = await api("POST", "/api/auth/register/", { form });
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.errors.password.join(" ")).toContain("karakter kontrol");
    expect(await findUser(email)).toBeUndefined();
  });

  it("answers 'exactly one KTP file' for two ktp parts", async () => {
    const ktp = new File([await pngImage(4, 3)], "ktp2.png", { type: "image/png" });
    const { form, email } = await registrationForm([["ktp", ktp]]);
    const response = await api("POST", "/api/auth/register/", { form });
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.errors.ktp).toEqual(["Kirim tepat satu file KTP."]);
    expect(await findUser(email)).toBeUndefined();
  });

  it("answers a clear message for a text field sent twice", async () => {
    const { form } = await registrationForm([["nik", uniqueNik()]]);
    const response = await api("POST", "/api/auth/register/", { form });
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.errors.nik).toEqual(["Kirim field ini satu kali saja."]);
  });
});

describe("POST /api/auth/google/ claim checks", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["a NUL in the email", { email: "a\u0000@x.com" }],
    ["a NUL in sub", { sub: "123\u0000" }],
    ["an email that is not an address", { email: "not-an-email" }],
    ["an empty email", { email: "" }],
  ];
  for (const [label, claims] of cases) {
    it(`answers 401 permission_denied for ${label}`, async () => {
      const response = await api("POST", "/api/auth/google/", {
        json: { id_token: await googleToken(claims) },
      });
      expect(response.status).toBe(401);
      expect((await readJson(response)).code).toBe("permission_denied");
    });
  }

  it("creates the account with an empty name for a NUL in the name", async () => {
    const email = uniqueEmail("google-nul");
    const token = await googleToken({ email: ` ${email.toUpperCase()} `, name: "Budi\u0000" });
    const response = await api("POST", "/api/auth/google/", { json: { id_token: token } });
    expect(response.status).toBe(201);
    const stored = await findUser(email);
    expect(stored?.fullName).toBe("");
  });
});

describe("email requests trim and lower-case the address", () => {
  it("POST /api/auth/resend-verification/ accepts a padded address and sends the link", async () => {
    const { user } = await createTestUser();
    const response = await api("POST", "/api/auth/resend-verification/", {
      json: { email: ` ${user.email.toUpperCase()} ` },
    });
    expect(response.status).toBe(200);
    expect(await waitForEmails(user.email)).toHaveLength(1);
  });

  it("POST /api/auth/request-password-reset/ accepts a padded address", async () => {
    const { user } = await createTestUser();
    const response = await api("POST", "/api/auth/request-password-reset/", {
      json: { email: ` ${user.email} ` },
    });
    expect(response.status).toBe(200);
    expect(await waitForEmails(user.email)).toHaveLength(1);
  });
});

describe("GET /api/auth/sessions/ query parsing", () => {
  it("answers 400 with clear messages for non-canonical page values", async () => {
    const { user, password } = await createTestUser();
    const { access } = await loginAs(user.email, password);
    const queries = ["page=1&page=2", "page=Infinity", "page=1e3", "page_size=101", "page=0"];
    for (const query of queries) {
      const response = await api("GET", `/api/auth/sessions/?${query}`, { token: access });
      expect(response.status, query).toBe(400);
      const body = await readJson(response);
      const messages = JSON.stringify(body.errors);
      expect(messages, query).not.toMatch(/NaN|diharapkan/);
    }
    const ok = await api("GET", "/api/auth/sessions/?page=1&page_size=100", { token: access });
    expect(ok.status).toBe(200);
  });
});

describe("DELETE /api/auth/sessions/{id}/ path ids", () => {
  it("answers 404 for non-canonical or out-of-range ids and ends nothing", async () => {
    const { user, password } = await createTestUser();
    const { access } = await loginAs(user.email, password);
    for (const id of ["1e3", "0x10", "%201", "-1", "0", "01", "99999999999999999999"]) {
      const response = await api("DELETE", `/api/auth/sessions/${id}/`, { token: access });
      expect(response.status, id).toBe(404);
      expect((await readJson(response)).code).toBe("not_found");
    }
    const open = await withDatabase(({ db }) =>
      db.select().from(sessions).where(eq(sessions.userId, user.id)),
    );
    expect(open.every((session) => session.revokedAt === null)).toBe(true);
  });
});

describe("POST /api/auth/token/refresh/ and /api/auth/logout/ bodies", () => {
  const emptyJson = { body: "", headers: { "Content-Type": "application/json" } };

  it("refresh treats an empty JSON body as no token (401), and reads the cookie", async () => {
    const empty = await api("POST", "/api/auth/token/refresh/", emptyJson);
    expect(empty.status).toBe(401);
    expect((await readJson(empty)).code).toBe("token_not_valid");

    const { user, password } = await createTestUser();
    const { cookie } = await loginAs(user.email, password);
    const withCookie = await api("POST", "/api/auth/token/refresh/", {
      ...emptyJson,
      headers: { ...emptyJson.headers, ...ORIGIN },
      cookie,
    });
    expect(withCookie.status).toBe(200);
  });

  it("refresh answers 401 token_not_valid for an over-long or non-string token", async () => {
    for (const refresh of ["x".repeat(300), 12345, { a: 1 }]) {
      const response = await api("POST", "/api/auth/token/refresh/", { json: { refresh } });
      expect(response.status, JSON.stringify(refresh)).toBe(401);
      expect((await readJson(response)).code).toBe("token_not_valid");
    }
  });

  it("logout answers 200 for an empty JSON body and for a body without Content-Type", async () => {
    const empty = await api("POST", "/api/auth/logout/", emptyJson);
    expect(empty.status).toBe(200);
    // A Uint8Array body makes fetch send no Content-Type at all.
    const untyped = await api("POST", "/api/auth/logout/", {
      body: new TextEncoder().encode("refresh=abc"),
    });
    expect(untyped.status).toBe(200);
    const text = await api("POST", "/api/auth/logout/", { body: "refresh=abc" });
    expect(text.status).toBe(200);
    const malformed = await api("POST", "/api/auth/logout/", { json: { refresh: 5 } });
    expect(malformed.status).toBe(200);
  });

  it("logout ends the session of a body token and keeps the CSRF check for cookies", async () => {
    const { user, password } = await createTestUser();
    const session = await loginAs(user.email, password);
    const foreign = await api("POST", "/api/auth/logout/", {
      ...emptyJson,
      headers: { ...emptyJson.headers, Origin: "http://evil.test" },
      cookie: session.cookie,
    });
    expect(foreign.status).toBe(403);

    const response = await api("POST", "/api/auth/logout/", { json: { refresh: session.refresh } });
    expect(response.status).toBe(200);
    const after = await api("POST", "/api/auth/token/refresh/", {
      json: { refresh: session.refresh },
    });
    expect(after.status).toBe(401);
  });
});

describe("POST /api/auth/register/ KTP file name", () => {
  it("stores the KTP with control characters removed from its file name", async () => {
    const { form, email } = await registrationForm();
    const png = await pngImage(4, 3);
    form.set("ktp", new File([png], "kt\u0001p\u202E.png", { type: "image/png" }));
    const response = await api("POST", "/api/auth/register/", { form });
    expect(response.status).toBe(201);
    const user = await findUser(email);
    const [document] = await withDatabase(({ db }) =>
      db
        .select({ originalName: applicantDocuments.originalName })
        .from(applicantDocuments)
        .innerJoin(
          applicantProfiles,
          eq(applicantProfiles.id, applicantDocuments.applicantProfileId),
        )
        .where(eq(applicantProfiles.userId, user?.id ?? 0)),
    );
    expect(document?.originalName).toBe("ktp.png");
  });
});

describe("openSession", () => {
  it("opens no session for a user whose security stamp changed since the check", async () => {
    const { user } = await createTestUser();
    const config = loadConfig(env as unknown as Bindings);
    const origin = { userAgent: "test", ipHash: null };
    const stale = { ...user, securityStamp: "stale-stamp" };
    await expect(
      withDatabase(({ db }) => openSession({ db, config }, stale, origin)),
    ).rejects.toMatchObject({ status: 401, code: "permission_denied" });
    const opened = await withDatabase(({ db }) =>
      db.select().from(sessions).where(eq(sessions.userId, user.id)),
    );
    expect(opened).toHaveLength(0);

    const fresh = await withDatabase(({ db }) => openSession({ db, config }, user, origin));
    expect(fresh.sessionId).toBeGreaterThan(0);
  });
});
