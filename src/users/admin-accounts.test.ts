import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { uniqueEmail } from "../../test/helpers/http";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { verifyPassword } from "../auth/passwords";
import { users } from "../db/schema";
import { type Bindings, loadConfig } from "../env";
import { AppError } from "../lib/errors";
import { createAdminAccount } from "./admin-accounts";
import { violatedUniqueConstraint } from "./database-errors";

const config = loadConfig(env as unknown as Bindings);
const STRONG_PASSWORD = "Admin-Sandi-Kuat-2026";

async function rejection(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function countUsers(email: string) {
  const rows = await withDatabase(({ db }) =>
    db.select().from(users).where(eq(users.email, email)),
  );
  return rows.length;
}

describe("createAdminAccount", () => {
  it("creates an active ADMIN with a verified email and an A- code", async () => {
    const email = uniqueEmail("admin");
    const created = await withDatabase(({ db }) =>
      createAdminAccount(db, {
        email: `  ${email.toUpperCase()} `,
        password: STRONG_PASSWORD,
        fullName: " Admin Baru ",
        config,
      }),
    );
    expect(created.email).toBe(email);

    const [row] = await withDatabase(({ db }) =>
      db.select().from(users).where(eq(users.id, created.id)),
    );
    expect(row!.role).toBe("ADMIN");
    expect(row!.isActive).toBe(true);
    expect(row!.emailVerified).toBe(true);
    expect(row!.emailVerifiedAt).not.toBeNull();
    expect(row!.fullName).toBe("Admin Baru");
    expect(row!.referralCode).toMatch(/^A-[A-Z0-9]{6}$/);
    expect(row!.securityStamp.length).toBeGreaterThan(0);
    expect((await verifyPassword(STRONG_PASSWORD, row!.passwordHash, config)).valid).toBe(true);
  });

  it("creates an account that can sign in through POST /api/auth/token/", async () => {
    const email = uniqueEmail("admin");
    await withDatabase(({ db }) =>
      createAdminAccount(db, { email, password: STRONG_PASSWORD, config }),
    );
    const { body } = await loginAs(email, STRONG_PASSWORD);
    expect(body.data.user.role).toBe("ADMIN");
  });

  it("rejects an email that is taken", async () => {
    const { user } = await createTestUser();
    const error = await rejection(
      withDatabase(({ db }) =>
        createAdminAccount(db, { email: user.email, password: STRONG_PASSWORD, config }),
      ),
    );
    expect(error.code).toBe("validation_error");
    expect(error.errors?.email).toHaveLength(1);
    expect(await countUsers(user.email)).toBe(1);
  });

  it("rejects a malformed email", async () => {
    const error = await rejection(
      withDatabase(({ db }) =>
        createAdminAccount(db, { email: "bukan-email", password: STRONG_PASSWORD, config }),
      ),
    );
    expect(error.errors?.email).toEqual(["Masukkan alamat email yang valid."]);
  });

  it("rejects a weak password and inserts nothing", async () => {
    const email = uniqueEmail("admin");
    const error = await rejection(
      withDatabase(({ db }) => createAdminAccount(db, { email, password: "12345678", config })),
    );
    expect(error.errors?.password).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(await countUsers(email)).toBe(0);
  });

  it("rejects a full name longer than 150 characters", async () => {
    const email = uniqueEmail("admin");
    const error = await rejection(
      withDatabase(({ db }) =>
        createAdminAccount(db, {
          email,
          password: STRONG_PASSWORD,
          fullName: "x".repeat(151),
          config,
        }),
      ),
    );
    expect(error.errors?.full_name).toHaveLength(1);
    expect(await countUsers(email)).toBe(0);
  });
});

describe("violatedUniqueConstraint", () => {
  it("names the constraint of a duplicate insert", async () => {
    const { user } = await createTestUser();
    const error = await withDatabase(({ db }) =>
      db
        .insert(users)
        .values({ email: user.email, securityStamp: "x" })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        ),
    );
    expect(violatedUniqueConstraint(error)).toBe("users_email_key");
  });

  it("returns undefined for other errors", () => {
    expect(violatedUniqueConstraint(new Error("boom"))).toBeUndefined();
    expect(violatedUniqueConstraint("text")).toBeUndefined();
  });
});
