import { applicantProfiles, users } from "../../src/db/schema";
import { withDatabase } from "./database";
import { uniqueEmail } from "./http";
import { createTestUser, loginAs } from "./users";

type ProfileColumns = Partial<Omit<typeof applicantProfiles.$inferInsert, "userId">>;

/** One applicant to insert: user columns and any profile columns. */
export interface ApplicantSpec {
  email?: string;
  fullName?: string;
  isActive?: boolean;
  emailVerified?: boolean;
  dateJoined?: Date;
  profile?: ProfileColumns;
}

export interface InsertedApplicant {
  userId: number;
  profileId: number;
  email: string;
  fullName: string;
}

/**
 * Inserts APPLICANT users with their profiles straight into the database, two statements for
 * any number of rows. No password hash: these accounts exist to be listed, not to sign in.
 */
export async function insertApplicants(specs: ApplicantSpec[]): Promise<InsertedApplicant[]> {
  return withDatabase(async ({ db }) => {
    const insertedUsers = await db
      .insert(users)
      .values(
        specs.map((spec) => ({
          email: (spec.email ?? uniqueEmail("pelamar")).toLowerCase(),
          fullName: spec.fullName ?? "Pelamar Uji",
          role: "APPLICANT" as const,
          isActive: spec.isActive ?? true,
          emailVerified: spec.emailVerified ?? false,
          securityStamp: crypto.randomUUID(),
          ...(spec.dateJoined ? { dateJoined: spec.dateJoined } : {}),
        })),
      )
      .returning({ id: users.id, email: users.email, fullName: users.fullName });

    const profiles = await db
      .insert(applicantProfiles)
      .values(insertedUsers.map((user, index) => ({ ...specs[index]?.profile, userId: user.id })))
      .returning({ id: applicantProfiles.id, userId: applicantProfiles.userId });
    const profileIdByUser = new Map(profiles.map((row) => [row.userId, row.id]));
    return insertedUsers.map((user) => ({
      userId: user.id,
      profileId: profileIdByUser.get(user.id) as number,
      email: user.email,
      fullName: user.fullName,
    }));
  });
}

/** A random 16-digit NIK, unlikely to collide with other tests' NIKs. */
export function randomNik(): string {
  const digits = crypto.getRandomValues(new Uint32Array(4));
  return [...digits]
    .map((value) => String(value % 10_000).padStart(4, "0"))
    .join("")
    .replace(/^0/, "1");
}

/** A short random word, for names that only one test's rows contain. */
export function uniqueToken(): string {
  return `zq${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
}

/** Signs in a new user of `role` and returns its access token. */
export async function tokenFor(role: "ADMIN" | "STAFF" | "COMPANY" | "APPLICANT") {
  const created = await createTestUser({ role });
  const { access } = await loginAs(created.user.email, created.password);
  return { token: access, user: created.user };
}
