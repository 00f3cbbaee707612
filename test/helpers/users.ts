import { env } from "cloudflare:test";
import { hashPassword } from "../../src/auth/passwords";
import { newSecurityStamp } from "../../src/auth/sessions.service";
import {
  applicantProfiles,
  companyProfiles,
  staffProfiles,
  type UserRole,
  users,
} from "../../src/db/schema";
import { type Bindings, loadConfig } from "../../src/env";
import { withDatabase } from "./database";
import { api, cookieHeader, readJson, uniqueEmail } from "./http";

export interface TestUserOverrides {
  role?: UserRole;
  email?: string;
  password?: string;
  isActive?: boolean;
  emailVerified?: boolean;
  fullName?: string;
}

export interface TestUser {
  user: typeof users.$inferSelect;
  password: string;
}

/**
 * Inserts a user straight into the database with a real password hash. Defaults: APPLICANT,
 * active, email not verified (as after registration), a unique email and a strong password.
 * Applicants get a DRAFT applicant profile, staff a staff profile, companies a company
 * profile; STAFF and ADMIN get a referral code.
 */
export async function createTestUser(overrides: TestUserOverrides = {}): Promise<TestUser> {
  const role = overrides.role ?? "APPLICANT";
  const password = overrides.password ?? `Uji-${crypto.randomUUID().slice(0, 8)}-Sandi!`;
  const config = loadConfig(env as unknown as Bindings);
  const passwordHash = await hashPassword(password, config);

  const user = await withDatabase(async ({ db }) => {
    const [inserted] = await db
      .insert(users)
      .values({
        email: (overrides.email ?? uniqueEmail(role.toLowerCase())).toLowerCase(),
        fullName: overrides.fullName ?? `Pengguna Uji ${role}`,
        role,
        isActive: overrides.isActive ?? true,
        emailVerified: overrides.emailVerified ?? false,
        emailVerifiedAt: overrides.emailVerified ? new Date() : null,
        referralCode: role === "STAFF" || role === "ADMIN" ? referralCode(role) : null,
        passwordHash,
        securityStamp: newSecurityStamp(),
      })
      .returning();
    if (!inserted) throw new Error("createTestUser: insert returned no row");

    if (role === "APPLICANT") await db.insert(applicantProfiles).values({ userId: inserted.id });
    if (role === "STAFF") await db.insert(staffProfiles).values({ userId: inserted.id });
    if (role === "COMPANY") {
      await db.insert(companyProfiles).values({ userId: inserted.id, companyName: "PT Uji" });
    }
    return inserted;
  });
  return { user, password };
}

/**
 * Signs in through POST /api/auth/token/ and returns the tokens, a Cookie header carrying
 * both auth cookies, and the parsed body. Throws when the login does not answer 200.
 */
export async function loginAs(email: string, password: string) {
  const response = await api("POST", "/api/auth/token/", { json: { email, password } });
  const body = await readJson(response);
  if (response.status !== 200) {
    throw new Error(`loginAs: expected 200, got ${response.status}: ${JSON.stringify(body)}`);
  }
  return {
    access: body.data.access as string,
    refresh: body.data.refresh as string,
    cookie: cookieHeader(response),
    body,
  };
}

function referralCode(role: "STAFF" | "ADMIN"): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  const suffix = [...bytes].map((byte) => alphabet[byte % alphabet.length]).join("");
  return `${role === "ADMIN" ? "A" : "S"}-${suffix}`;
}
