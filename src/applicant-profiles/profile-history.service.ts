import { count, desc, eq } from "drizzle-orm";
import type { ServiceContext } from "../context";
import { applicantProfiles, auditEvents, users } from "../db/schema";
import { notFound } from "../lib/errors";
import { formatDateTime } from "../lib/time";

/** One audit event of a profile, as GET …/history/ renders it. */
export interface HistoryEntry {
  id: number;
  action: string;
  actor: number | null;
  actor_name: string | null;
  details: Record<string, unknown>;
  created_at: string | null;
}

/** Raises 404 unless the applicant profile exists. */
export async function assertProfileExists(services: ServiceContext, profileId: number) {
  const [row] = await services.db
    .select({ id: applicantProfiles.id })
    .from(applicantProfiles)
    .where(eq(applicantProfiles.id, profileId))
    .limit(1);
  if (!row) throw notFound("Profil pelamar tidak ditemukan.");
}

/** Counts the audit events of a profile. */
export async function countProfileHistory(services: ServiceContext, profileId: number) {
  const [row] = await services.db
    .select({ total: count() })
    .from(auditEvents)
    .where(eq(auditEvents.applicantProfileId, profileId));
  return row?.total ?? 0;
}

/** Lists one page of a profile's audit events, newest first, with the actor's name. */
export async function listProfileHistory(
  services: ServiceContext,
  profileId: number,
  limit: number,
  offset: number,
): Promise<HistoryEntry[]> {
  const rows = await services.db
    .select({ event: auditEvents, actorName: users.fullName })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(eq(auditEvents.applicantProfileId, profileId))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(limit)
    .offset(offset);
  return rows.map(({ event, actorName }) => ({
    id: event.id,
    action: event.action,
    actor: event.actorId,
    actor_name: actorName,
    details: event.details as Record<string, unknown>,
    created_at: formatDateTime(event.createdAt),
  }));
}
