import { and, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import {
  prepareApplicantProfileUpdate,
  profileUpdateStatement,
} from "../applicants/applicant-profile-update.service";
import type { Database } from "../db/client";
import {
  applicantProfiles,
  companyProfiles,
  staffProfiles,
  type UserRole,
  users,
} from "../db/schema";
import { AppError, validationError } from "../lib/errors";
import type { MeUpdateInput } from "./users.schemas";

type Statement = BatchItem<"pg">;

/** The signed-in user with whichever profile rows exist. */
export interface EditableUser {
  user: typeof users.$inferSelect;
  staff: typeof staffProfiles.$inferSelect | null;
  company: typeof companyProfiles.$inferSelect | null;
  profile: typeof applicantProfiles.$inferSelect | null;
}

/** The name a nested profile object sets, and the statements that write the profile. */
export interface ProfileChanges {
  fullName?: string;
  statements: (db: Database) => Statement[];
}

/**
 * Loads user `userId` with its profile rows; with `role`, only when the user has that role.
 * Returns undefined when no such user exists.
 */
export async function loadEditableUser(
  db: Database,
  userId: number,
  role?: UserRole,
): Promise<EditableUser | undefined> {
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
    .where(and(eq(users.id, userId), role ? eq(users.role, role) : undefined))
    .limit(1);
  return row;
}

const noProfileChanges: ProfileChanges = { statements: () => [] };

/** Validates the nested profile object of the user's own role and ignores other roles' objects. */
export async function prepareProfileChanges(
  db: Database,
  current: EditableUser,
  input: MeUpdateInput,
): Promise<ProfileChanges> {
  switch (current.user.role) {
    case "STAFF":
      return staffChanges(current, input);
    case "COMPANY":
      return companyChanges(current, input);
    case "APPLICANT":
      return applicantChanges(db, current, input);
    default:
      return noProfileChanges;
  }
}

function staffChanges(current: EditableUser, input: MeUpdateInput): ProfileChanges {
  const nested = input.staff_profile ?? {};
  const phone = nested.contact_phone;
  if (phone === undefined || phone === current.staff?.contactPhone) {
    return { fullName: nested.full_name, statements: () => [] };
  }
  return {
    fullName: nested.full_name,
    statements: (db) => [
      db
        .insert(staffProfiles)
        .values({ userId: current.user.id, contactPhone: phone })
        .onConflictDoUpdate({
          target: staffProfiles.userId,
          set: { contactPhone: phone, updatedAt: new Date() },
        }),
    ],
  };
}

function companyChanges(current: EditableUser, input: MeUpdateInput): ProfileChanges {
  const { company_name, contact_phone, address } = input.company_profile ?? {};
  const set = {
    ...(company_name === undefined ? {} : { companyName: company_name }),
    ...(contact_phone === undefined ? {} : { contactPhone: contact_phone }),
    ...(address === undefined ? {} : { address }),
  };
  if (Object.keys(set).length === 0) return noProfileChanges;
  const companyName = set.companyName ?? current.company?.companyName;
  if (companyName === undefined) {
    throw validationError({ company_profile: { company_name: ["Nama perusahaan wajib diisi."] } });
  }
  return {
    statements: (db) => [
      db
        .insert(companyProfiles)
        .values({ userId: current.user.id, ...set, companyName })
        .onConflictDoUpdate({
          target: companyProfiles.userId,
          set: { ...set, updatedAt: new Date() },
        }),
    ],
  };
}

async function applicantChanges(
  db: Database,
  current: EditableUser,
  input: MeUpdateInput,
): Promise<ProfileChanges> {
  const nested = { ...input.applicant_profile };
  nested.full_name ??= input.full_name;
  if (Object.keys(nested).every((key) => nested[key as keyof typeof nested] === undefined)) {
    return noProfileChanges;
  }
  const profile = current.profile;
  if (!profile) {
    // Without a profile row only the name, which is stored on the user, can change.
    const profileFields = Object.keys(input.applicant_profile ?? {}).filter(
      (key) => key !== "full_name",
    );
    if (profileFields.length > 0) {
      throw new AppError(404, "not_found", "Profil pelamar tidak ditemukan.");
    }
    return { fullName: nested.full_name, statements: () => [] };
  }

  const update = await prepareApplicantProfileUpdate(
    db,
    { profile, fullName: current.user.fullName },
    nested,
  );
  return {
    fullName: update.fullName ?? current.user.fullName,
    statements: (tx) =>
      Object.keys(update.columns).length > 0
        ? [profileUpdateStatement(tx, profile.id, update.columns)]
        : [],
  };
}
