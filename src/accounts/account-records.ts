import type { Database } from "../db/client";
import type { UserRole } from "../db/schema";
import { notFound } from "../lib/errors";
import { type EditableUser, loadEditableUser } from "../users/me-profile-changes";

const ACCOUNT_NOT_FOUND = "Akun tidak ditemukan.";

/**
 * Loads the user `id` with its profile rows, or raises 404 when no user of `role` has that id.
 * An id of another role is 404 too, so /api/staff/{id}/ never shows an admin.
 */
export async function findAccount(db: Database, id: number, role: UserRole): Promise<EditableUser> {
  const row = await loadEditableUser(db, id, role);
  if (!row) throw notFound(ACCOUNT_NOT_FOUND);
  return row;
}
