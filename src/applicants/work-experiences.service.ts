import { and, asc, count, desc, eq } from "drizzle-orm";
import type { ServiceContext } from "../context";
import { applicantProfiles, users, workExperiences } from "../db/schema";
import { notFound, validationError } from "../lib/errors";
import {
  EMPTY_WORK_EXPERIENCE,
  mergeWorkExperience,
  serializeWorkExperience,
  type WorkExperienceInput,
  type WorkExperienceJson,
  workExperienceRuleErrors,
} from "./work-experience.schema";

/** Entries one profile may hold; the FORM BIODATA lists a handful, so more is abuse. */
export const MAX_WORK_EXPERIENCES = 50;

const entryNotFound = () => notFound("Pengalaman kerja tidak ditemukan.");

/** Finds the applicant profile of `userId`, or raises 404 when the user is not an applicant. */
export async function findApplicantProfileId(
  services: ServiceContext,
  userId: number,
): Promise<number> {
  const [row] = await services.db
    .select({ id: applicantProfiles.id })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .where(and(eq(applicantProfiles.userId, userId), eq(users.role, "APPLICANT")))
    .limit(1);
  if (!row) throw notFound("Pelamar tidak ditemukan.");
  return row.id;
}

/** Counts a profile's entries, for the page's `count`. */
export async function countWorkExperiences(services: ServiceContext, profileId: number) {
  const [row] = await services.db
    .select({ total: count() })
    .from(workExperiences)
    .where(eq(workExperiences.applicantProfileId, profileId));
  return row?.total ?? 0;
}

/** Lists one page of a profile's entries by sort_order, then the latest jobs first. */
export async function listWorkExperiences(
  services: ServiceContext,
  profileId: number,
  limit: number,
  offset: number,
): Promise<WorkExperienceJson[]> {
  const rows = await services.db
    .select()
    .from(workExperiences)
    .where(eq(workExperiences.applicantProfileId, profileId))
    // Postgres sorts nulls first in descending order, so a job without an end date (a
    // current one) comes before finished ones.
    .orderBy(
      asc(workExperiences.sortOrder),
      desc(workExperiences.endDate),
      desc(workExperiences.startDate),
      asc(workExperiences.id),
    )
    .limit(limit)
    .offset(offset);
  return rows.map(serializeWorkExperience);
}

/** Loads one entry of the profile; another profile's entry is 404, as if it did not exist. */
export async function getWorkExperience(
  services: ServiceContext,
  profileId: number,
  id: number,
): Promise<WorkExperienceJson> {
  return serializeWorkExperience(await loadEntry(services, profileId, id));
}

/** Creates an entry after the cross-field checks and the per-profile cap. */
export async function createWorkExperience(
  services: ServiceContext,
  profileId: number,
  input: WorkExperienceInput,
): Promise<WorkExperienceJson> {
  const columns = checked(mergeWorkExperience(EMPTY_WORK_EXPERIENCE, input));
  if ((await countWorkExperiences(services, profileId)) >= MAX_WORK_EXPERIENCES) {
    throw validationError({
      non_field_errors: [`Maksimal ${MAX_WORK_EXPERIENCES} pengalaman kerja per pelamar.`],
    });
  }
  const [row] = await services.db
    .insert(workExperiences)
    .values({ ...columns, applicantProfileId: profileId })
    .returning();
  return serializeWorkExperience(row!);
}

/**
 * Updates an entry: `replace` (PUT) resets the fields the body leaves out, otherwise (PATCH)
 * they keep their stored values. The cross-field rules apply to the result.
 */
export async function updateWorkExperience(
  services: ServiceContext,
  target: { profileId: number; id: number },
  input: WorkExperienceInput,
  replace: boolean,
): Promise<WorkExperienceJson> {
  const stored = await loadEntry(services, target.profileId, target.id);
  const columns = checked(mergeWorkExperience(replace ? EMPTY_WORK_EXPERIENCE : stored, input));
  const [row] = await services.db
    .update(workExperiences)
    .set({ ...columns, updatedAt: new Date() })
    .where(ownedBy(target.profileId, target.id))
    .returning();
  if (!row) throw entryNotFound();
  return serializeWorkExperience(row);
}

/** Deletes an entry of the profile, or raises 404. */
export async function deleteWorkExperience(
  services: ServiceContext,
  profileId: number,
  id: number,
): Promise<void> {
  const deleted = await services.db
    .delete(workExperiences)
    .where(ownedBy(profileId, id))
    .returning({ id: workExperiences.id });
  if (deleted.length === 0) throw entryNotFound();
}

const ownedBy = (profileId: number, id: number) =>
  and(eq(workExperiences.id, id), eq(workExperiences.applicantProfileId, profileId));

async function loadEntry(services: ServiceContext, profileId: number, id: number) {
  const [row] = await services.db
    .select()
    .from(workExperiences)
    .where(ownedBy(profileId, id))
    .limit(1);
  if (!row) throw entryNotFound();
  return row;
}

function checked<T extends Parameters<typeof workExperienceRuleErrors>[0]>(columns: T): T {
  const errors = workExperienceRuleErrors(columns);
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return columns;
}
