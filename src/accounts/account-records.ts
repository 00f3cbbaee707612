import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import {
  applicantProfiles,
  companyProfiles,
  staffProfiles,
  type UserRole,
  users,
} from "../db/schema";
import { notFound } from "../lib/errors";
import type { EditableUser } from "../users/me-profile-changes";

const ACCOUNT_NOT_FOUND = "Akun tidak ditemukan.";

/**
 * Loads the user `id` with its profile rows, or raises 404 when no user of `role` has that id.
 * An id of another role is 404 too, so /api/staff/{id}/ never shows an admin.
 */
export async function findAccount(db: Database, id: number, role: UserRole): Promise<EditableUser> {
  const [row] = await db
    .select({
      user: users,
      staff: staffProfiles,
      company: companyProfiles,
      profile: applicantProfiles,
    })
    .from(users)
    .leftJoin(staffProfiles, eq(staffProfiles.userId, users.id))
    .leftJoin(companyProfiles, eq(companyProfiles.userId, users.id))
    .leftJoin(applicantProfiles, eq(applicantProfiles.userId, users.id))
    .where(and(eq(users.id, id), eq(users.role, role)))
    .limit(1);
  if (!row) throw notFound(ACCOUNT_NOT_FOUND);
  return row;
}
