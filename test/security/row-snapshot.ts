import { inArray, sql } from "drizzle-orm";
import { queryRows } from "../../src/auth/sessions.service";
import type { Database } from "../../src/db/client";
import {
  applicantDocuments,
  applicantProfiles,
  companyProfiles,
  staffProfiles,
  users,
  workExperiences,
} from "../../src/db/schema";

/**
 * The rows of some users that a failed request must leave as they were: the users, their
 * staff, company and applicant profiles, work experiences and documents, ordered by id.
 *
 * Document columns that the documents queue consumer rewrites on its own schedule (file,
 * size, processing and OCR state, updated_at) are left out, because an upload's processing
 * can finish while a later request is checked. `last_login` is left out because signing in
 * changes it.
 */
export async function snapshotRows(db: Database, userIds: number[]) {
  if (userIds.length === 0) throw new Error("snapshotRows: no user ids");
  const userRows = await db
    .select()
    .from(users)
    .where(inArray(users.id, userIds))
    .orderBy(users.id);
  const profiles = await db
    .select()
    .from(applicantProfiles)
    .where(inArray(applicantProfiles.userId, userIds))
    .orderBy(applicantProfiles.id);
  const profileIds = profiles.map((profile) => profile.id);
  const experiences = profileIds.length
    ? await db
        .select()
        .from(workExperiences)
        .where(inArray(workExperiences.applicantProfileId, profileIds))
        .orderBy(workExperiences.id)
    : [];
  const documents = profileIds.length
    ? await db
        .select({
          id: applicantDocuments.id,
          profileId: applicantDocuments.applicantProfileId,
          typeId: applicantDocuments.documentTypeId,
          originalName: applicantDocuments.originalName,
          uploadedAt: applicantDocuments.uploadedAt,
          reviewStatus: applicantDocuments.reviewStatus,
          reviewedById: applicantDocuments.reviewedById,
          reviewedAt: applicantDocuments.reviewedAt,
          reviewNotes: applicantDocuments.reviewNotes,
        })
        .from(applicantDocuments)
        .where(inArray(applicantDocuments.applicantProfileId, profileIds))
        .orderBy(applicantDocuments.id)
    : [];
  const staff = await db.select().from(staffProfiles).where(inArray(staffProfiles.userId, userIds));
  const companies = await db
    .select()
    .from(companyProfiles)
    .where(inArray(companyProfiles.userId, userIds));

  const stableUsers = userRows.map(({ lastLogin: _lastLogin, ...row }) => row);
  return { users: stableUsers, profiles, experiences, documents, staff, companies };
}

// Columns of applicant_documents that the documents consumer rewrites on its own schedule.
const CONSUMER_COLUMNS =
  "array['file','file_version','content_type','size_bytes','updated_at','processing_status'," +
  "'processing_error','ocr_text','ocr_data','ocr_processed_at']";

/**
 * The same rows as `snapshotRows`, read in one statement and returned as JSON text, for
 * checks that run after every fuzzed request. The ids are the fixture's own integers.
 */
export async function snapshotText(db: Database, userIds: number[]): Promise<string> {
  const ids = sql.raw(`array[${userIds.map((id) => Math.trunc(id)).join(",")}]::int[]`);
  const profiles = sql`(select id from applicant_profiles where user_id = any(${ids}))`;
  const rows = await queryRows<{ snapshot: unknown }>(
    db,
    sql`select jsonb_build_object(
      'users', (select jsonb_agg(to_jsonb(u) - 'last_login' order by u.id)
                from users u where u.id = any(${ids})),
      'profiles', (select jsonb_agg(to_jsonb(p) order by p.id)
                   from applicant_profiles p where p.user_id = any(${ids})),
      'experiences', (select jsonb_agg(to_jsonb(w) order by w.id)
                      from work_experiences w where w.applicant_profile_id in ${profiles}),
      'documents', (select jsonb_agg(to_jsonb(d) - ${sql.raw(CONSUMER_COLUMNS)} order by d.id)
                    from applicant_documents d where d.applicant_profile_id in ${profiles}),
      'staff', (select jsonb_agg(to_jsonb(s) order by s.user_id)
                from staff_profiles s where s.user_id = any(${ids})),
      'companies', (select jsonb_agg(to_jsonb(c) order by c.user_id)
                    from company_profiles c where c.user_id = any(${ids}))
    ) as snapshot`,
  );
  return JSON.stringify(rows[0]?.snapshot);
}
