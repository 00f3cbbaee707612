import { type SQL, sql } from "drizzle-orm";
import { queryRows } from "../auth/sessions.service";
import type { Database } from "../db/client";
import type { VerificationStatus } from "../db/schema";
import type { AuditEventInput } from "../lib/audit";

/** A move of one profile between verification statuses, with the audit event it records. */
export interface ProfileTransition {
  profileId: number;
  /** The statuses the profile may be in; any other status leaves the row unchanged. */
  from: readonly VerificationStatus[];
  /** The SET list, with bare column names as UPDATE requires; `updated_at` is added. */
  set: SQL;
  /** A further condition on the `applicant_profiles` row, such as complete documents. */
  when?: SQL;
  audit: Required<Pick<AuditEventInput, "action" | "actorId" | "ipHash" | "details">>;
}

/** The profile a transition changed. */
export interface TransitionedProfile {
  id: number;
  userId: number;
  fullName: string;
}

/**
 * Applies a transition as one conditional UPDATE and inserts its audit event in the same
 * statement, so it is atomic on both database drivers. The status condition sits in the
 * UPDATE's WHERE clause: of two requests racing on one profile, the second waits for the
 * first's row lock, sees the new status and changes nothing. Returns null when the row did
 * not qualify (unknown id, wrong status, or `when` false); the caller finds out which.
 */
export async function applyProfileTransition(
  db: Database,
  transition: ProfileTransition,
): Promise<TransitionedProfile | null> {
  const { audit } = transition;
  const from = sql.join(
    transition.from.map((status) => sql`${status}`),
    sql`, `,
  );
  const rows = await queryRows<{ id: number; user_id: number; full_name: string }>(
    db,
    sql`with changed as (
      update applicant_profiles
      set ${transition.set}, updated_at = now()
      where id = ${transition.profileId}
        and verification_status in (${from})
        and (${transition.when ?? sql`true`})
      returning id, user_id
    ), audited as (
      insert into audit_events (action, actor_id, target_user_id, applicant_profile_id,
        ip_hash, details)
      select ${audit.action}, ${audit.actorId}, user_id, id, ${audit.ipHash},
        ${JSON.stringify(audit.details)}::jsonb
      from changed
    )
    select changed.id, changed.user_id, users.full_name
    from changed join users on users.id = changed.user_id`,
  );
  const [row] = rows;
  return row ? { id: Number(row.id), userId: Number(row.user_id), fullName: row.full_name } : null;
}
