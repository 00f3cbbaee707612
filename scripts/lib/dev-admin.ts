import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { PasswordConfig } from "../../src/auth/passwords";
import type { Database } from "../../src/db/client";
import * as schema from "../../src/db/schema";
import { createAdminAccount } from "../../src/users/admin-accounts";

export const DEFAULT_DEV_ADMIN_EMAIL = "admin@kms-connect.test";

export interface DevAdminCredentials {
  email: string;
  password: string;
}

/**
 * Creates the first ADMIN of a development database with a random password, unless an ADMIN
 * already exists. Returns the credentials only on the run that creates the account, because
 * only the hash is stored.
 */
export async function seedDevAdmin(
  url: string,
  email: string,
  config: PasswordConfig,
): Promise<DevAdminCredentials | undefined> {
  // max 1 and unnamed statements, for the single shared backend of the embedded server.
  const client = postgres(url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    const db = drizzle(client, { schema }) as unknown as Database;
    const admins = await db
      .select({ id: schema.users.id })
      .from(schema.users)
      .where(eq(schema.users.role, "ADMIN"))
      .limit(1);
    if (admins.length > 0) return undefined;

    // 144 random bits in base64url: far from the common-password list and from the email.
    const password = randomBytes(18).toString("base64url");
    const created = await createAdminAccount(db, {
      email,
      password,
      fullName: "Development Admin",
      config,
    });
    return { email: created.email, password };
  } finally {
    await client.end({ timeout: 5 });
  }
}
