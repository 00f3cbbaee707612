import { eq } from "drizzle-orm";
import {
  type ApplicantProfileRecord,
  joinRegionNames,
  regionNameFields,
  serializeApplicantProfile,
} from "../applicants/applicant-profile.serializer";
import type { Database } from "../db/client";
import { applicantProfiles, companyProfiles, staffProfiles, users } from "../db/schema";
import { formatDateTime } from "../lib/time";

type UserRow = typeof users.$inferSelect;
type StaffProfileRow = typeof staffProfiles.$inferSelect;
type CompanyProfileRow = typeof companyProfiles.$inferSelect;

/** Fields every role's shape starts with. */
function baseUserFields(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    role: user.role,
    is_active: user.isActive,
    email_verified: user.emailVerified,
    email_verified_at: formatDateTime(user.emailVerifiedAt),
    date_joined: formatDateTime(user.dateJoined),
  };
}

/** Renders the AdminUser shape, which StaffUser extends. */
export function serializeAdminUser(user: UserRow) {
  return {
    ...baseUserFields(user),
    last_login: formatDateTime(user.lastLogin),
    updated_at: formatDateTime(user.updatedAt),
    referral_code: user.referralCode,
  };
}

/** StaffUser: AdminUser plus `staff_profile` (null when the row is missing) and `google_id`. */
export function serializeStaffUser(user: UserRow, profile: StaffProfileRow | null) {
  return {
    ...serializeAdminUser(user),
    google_id: user.googleId,
    staff_profile: profile && {
      id: profile.id,
      // The staff member's name is stored on the user. The profile repeats it for the portal.
      full_name: user.fullName,
      contact_phone: profile.contactPhone,
      photo: profile.photo,
      created_at: formatDateTime(profile.createdAt),
      updated_at: formatDateTime(profile.updatedAt),
    },
  };
}

/** CompanyUser: the common user fields plus `company_profile` (null when the row is missing). */
export function serializeCompanyUser(user: UserRow, profile: CompanyProfileRow | null) {
  return {
    ...baseUserFields(user),
    last_login: formatDateTime(user.lastLogin),
    updated_at: formatDateTime(user.updatedAt),
    company_profile: profile && {
      id: profile.id,
      company_name: profile.companyName,
      contact_phone: profile.contactPhone,
      address: profile.address,
      created_at: formatDateTime(profile.createdAt),
      updated_at: formatDateTime(profile.updatedAt),
    },
  };
}

/** ApplicantUser: the common user fields plus the full ApplicantProfile (null when missing). */
export function serializeApplicantUser(user: UserRow, profile: ApplicantProfileRecord | null) {
  return {
    ...baseUserFields(user),
    updated_at: formatDateTime(user.updatedAt),
    applicant_profile: profile && serializeApplicantProfile(profile),
  };
}

export type UserShape =
  | ReturnType<typeof serializeAdminUser>
  | ReturnType<typeof serializeStaffUser>
  | ReturnType<typeof serializeCompanyUser>
  | ReturnType<typeof serializeApplicantUser>;

/**
 * Loads a user with every profile it may have and renders the shape for its role. One query:
 * the role's profile table and the region names come in by left joins. Returns null for an
 * unknown id.
 */
export async function loadUserShape(db: Database, userId: number): Promise<UserShape | null> {
  const query = db
    .select({
      user: users,
      staff: staffProfiles,
      company: companyProfiles,
      profile: applicantProfiles,
      ...regionNameFields,
    })
    .from(users)
    .leftJoin(staffProfiles, eq(staffProfiles.userId, users.id))
    .leftJoin(companyProfiles, eq(companyProfiles.userId, users.id))
    .leftJoin(applicantProfiles, eq(applicantProfiles.userId, users.id))
    .$dynamic();
  const [row] = await joinRegionNames(query).where(eq(users.id, userId)).limit(1);
  if (!row) return null;

  const { user } = row;
  switch (user.role) {
    case "ADMIN":
      return serializeAdminUser(user);
    case "STAFF":
      return serializeStaffUser(user, row.staff);
    case "COMPANY":
      return serializeCompanyUser(user, row.company);
    case "APPLICANT": {
      const record: ApplicantProfileRecord | null = row.profile && {
        profile: row.profile,
        fullName: user.fullName,
        villageNames: row.villageNames,
        familyVillageNames: row.familyVillageNames,
        nikRegionKnown: row.nikRegionKnown,
      };
      return serializeApplicantUser(user, record);
    }
  }
}
