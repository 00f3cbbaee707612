import { eq } from "drizzle-orm";
import { auditEvents, type UserRole, users } from "../../src/db/schema";
import { withDatabase } from "./database";
import { api, readJson } from "./http";
import { createTestUser, loginAs } from "./users";

/** Creates a user of `role` with a verified email and signs it in. */
export async function signedIn(role: UserRole) {
  const created = await createTestUser({ role, emailVerified: true });
  const tokens = await loginAs(created.user.email, created.password);
  return { ...created, ...tokens };
}

/** Sends a JSON request with a Bearer token and parses the reply. */
export async function call(
  method: string,
  path: string,
  token: string | undefined,
  json?: unknown,
) {
  const response = await api(method, path, { token, json });
  return { response, body: await readJson(response) };
}

/** The stored user with this email, or undefined. */
export async function userByEmail(email: string) {
  return withDatabase(async ({ db }) => {
    const [user] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
    return user;
  });
}

/** The stored user with this id; throws when it is missing. */
export async function userById(id: number) {
  return withDatabase(async ({ db }) => {
    const [user] = await db.select().from(users).where(eq(users.id, id));
    if (!user) throw new Error(`user ${id} not found`);
    return user;
  });
}

/** Audit events about `userId`, oldest first. */
export async function auditEventsFor(userId: number) {
  return withDatabase(({ db }) =>
    db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetUserId, userId))
      .orderBy(auditEvents.id),
  );
}

/** A random 16-digit NIK; the birth-date digits are not meaningful. */
export function randomNik(): string {
  const digits = crypto.getRandomValues(new Uint8Array(16));
  return [...digits].map((byte, index) => (index === 0 ? 1 + (byte % 9) : byte % 10)).join("");
}

/** A password that passes the password rules. */
export const strongPassword = () => `Kuat-${crypto.randomUUID().slice(0, 10)}-Sandi!`;
