import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { endAllSessionsQuery, newSecurityStamp } from "../auth/sessions.service";
import type { ServiceContext } from "../context";
import { type Database, runAtomic } from "../db/client";
import { type UserRole, users } from "../db/schema";
import { auditInsert } from "../lib/audit";
import { AppError } from "../lib/errors";
import { invalidateStaffReferrers } from "../referrers/referrers.service";
import { loadUserShape, type UserShape } from "../users/users.serializers";
import type { AccountActor } from "./account-create.service";
import { findAccount } from "./account-records";

/** Raised when an admin tries to deactivate their own account, which would lock them out. */
export const cannotDeactivateSelf = () =>
  new AppError(400, "cannot_deactivate_self", "Anda tidak dapat menonaktifkan akun Anda sendiri.");

/**
 * Deactivates (`active` false) or activates an account of `role`. Deactivation also ends every
 * session and replaces the security stamp, so refresh tokens stop at once and access tokens
 * at their next request. Raises 404 for an unknown id, 400 `already_deactivated` or
 * `already_activated` when nothing would change, and 400 `cannot_deactivate_self`.
 */
export async function setAccountActive(
  services: ServiceContext,
  actor: AccountActor,
  target: { id: number; role: UserRole },
  active: boolean,
): Promise<UserShape> {
  const { user } = await findAccount(services.db, target.id, target.role);
  if (user.isActive === active) {
    throw active
      ? new AppError(400, "already_activated", "Akun ini sudah aktif.")
      : new AppError(400, "already_deactivated", "Akun ini sudah nonaktif.");
  }
  if (!active && user.id === actor.userId) throw cannotDeactivateSelf();

  await runAtomic(services.database, (db) => {
    const [first, ...rest] = activeChangeStatements(db, user.id, active, actor);
    return [
      db
        .update(users)
        .set({ isActive: active, ...activeChangeColumns(active), updatedAt: sql`now()` })
        .where(eq(users.id, user.id)),
      first!,
      ...rest,
    ];
  });

  if (user.role === "STAFF") await invalidateStaffReferrers(services);
  services.logger.info(active ? "account activated" : "account deactivated", { user_id: user.id });
  const shape = await loadUserShape(services.db, user.id);
  if (!shape) throw new Error("account vanished after a status change");
  return shape;
}

/** Users columns besides `is_active` that change with it: a new stamp on deactivation. */
export function activeChangeColumns(active: boolean) {
  return active ? {} : { securityStamp: newSecurityStamp() };
}

/** Session and audit statements that go with a change of `is_active`, inside one transaction. */
export function activeChangeStatements(
  db: Database,
  userId: number,
  active: boolean,
  actor: AccountActor,
): [BatchItem<"pg">, ...BatchItem<"pg">[]] {
  const audit = auditInsert(db, {
    action: active ? "user_activated" : "user_deactivated",
    actorId: actor.userId,
    targetUserId: userId,
    ipHash: actor.ipHash,
  });
  if (active) return [audit];
  return [endAllSessionsQuery(db, userId, "deactivated"), audit];
}
