import { eq, type SQL, sql } from "drizzle-orm";
import { alias, type PgSelect } from "drizzle-orm/pg-core";
import type { Database } from "../db/client";
import { applicantProfiles, districts, provinces, regencies, users, villages } from "../db/schema";
import { formatDateTime } from "../lib/time";
import { nikWarnings } from "./nik-warnings";

type ProfileRow = typeof applicantProfiles.$inferSelect;

/** Names along a village's chain of parents, all null when the row has no village. */
export interface RegionNames {
  province: string | null;
  regency: string | null;
  district: string | null;
  village: string | null;
}

/** The serializer's input: the profile row, the user's name and both villages' names. */
export interface ApplicantProfileRecord {
  profile: ProfileRow;
  fullName: string;
  villageNames: RegionNames;
  familyVillageNames: RegionNames;
  /** Whether the NIK's first six digits are a known kecamatan code; null without a NIK. */
  nikRegionKnown: boolean | null;
}

function regionChain(prefix: string) {
  return {
    village: alias(villages, `${prefix}_village`),
    district: alias(districts, `${prefix}_district`),
    regency: alias(regencies, `${prefix}_regency`),
    province: alias(provinces, `${prefix}_province`),
  };
}

const home = regionChain("home");
const family = regionChain("family");

const namesOf = (chain: typeof home) => ({
  province: chain.province.name,
  regency: chain.regency.name,
  district: chain.district.name,
  village: chain.village.name,
});

/**
 * Select fields for both village displays, to use with `joinRegionNames`, and the NIK region
 * check: one lookup of the unique kecamatan code per row.
 */
export const regionNameFields = {
  villageNames: namesOf(home),
  familyVillageNames: namesOf(family),
  nikRegionKnown: sql<boolean | null>`case when ${applicantProfiles.nik} is null then null
    else exists (select 1 from ${districts}
      where ${districts.code} = substr(${applicantProfiles.nik}, 1, 6)) end`,
};

/**
 * Adds the eight left joins that resolve `village_id` and `family_village_id` to names, so a
 * profile and both displays come back in one query. The query must already join
 * `applicant_profiles`.
 */
export function joinRegionNames<T extends PgSelect>(query: T): T {
  let joined: PgSelect = query;
  for (const [chain, villageId] of [
    [home, applicantProfiles.villageId],
    [family, applicantProfiles.familyVillageId],
  ] as const) {
    joined = joined
      .leftJoin(chain.village, eq(chain.village.id, villageId))
      .leftJoin(chain.district, eq(chain.district.id, chain.village.districtId))
      .leftJoin(chain.regency, eq(chain.regency.id, chain.district.regencyId))
      .leftJoin(chain.province, eq(chain.province.id, chain.regency.provinceId));
  }
  return joined as T;
}

/** Loads profiles matching `where` with their users' names and region names in one query. */
export async function loadApplicantProfiles(
  db: Database,
  where: SQL,
): Promise<ApplicantProfileRecord[]> {
  const query = db
    .select({ profile: applicantProfiles, fullName: users.fullName, ...regionNameFields })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .$dynamic();
  return (await joinRegionNames(query).where(where)) as ApplicantProfileRecord[];
}

function regionDisplay(villageId: number | null, names: RegionNames): RegionNames | null {
  return villageId === null || names.village === null ? null : names;
}

/** Renders the ApplicantProfile of the API: every column in snake_case, links as ids. */
export function serializeApplicantProfile(record: ApplicantProfileRecord) {
  const { profile } = record;
  return {
    id: profile.id,
    user: profile.userId,
    full_name: record.fullName,
    referrer: profile.referrerId,
    registration_date: profile.registrationDate,
    destination_country: profile.destinationCountry,
    ...identityFields(profile, record.nikRegionKnown),
    ...addressFields(profile, record),
    ...familyFields(profile, record),
    data_declaration_confirmed: profile.dataDeclarationConfirmed,
    zero_cost_understood: profile.zeroCostUnderstood,
    ...otherFields(profile),
    ...verificationFields(profile),
    created_at: formatDateTime(profile.createdAt),
    updated_at: formatDateTime(profile.updatedAt),
  };
}

export type ApplicantProfileJson = ReturnType<typeof serializeApplicantProfile>;

function identityFields(profile: ProfileRow, nikRegionKnown: boolean | null) {
  return {
    nik: profile.nik,
    nik_warnings: nikWarnings(profile.nik, profile.birthDate, profile.gender, nikRegionKnown),
    birth_place: profile.birthPlaceId,
    birth_date: profile.birthDate,
    gender: profile.gender,
    religion: profile.religion,
    marital_status: profile.maritalStatus,
  };
}

function addressFields(profile: ProfileRow, record: ApplicantProfileRecord) {
  return {
    address: profile.address,
    province: profile.provinceId,
    district: profile.districtId,
    village: profile.villageId,
    village_display: regionDisplay(profile.villageId, record.villageNames),
    contact_phone: profile.contactPhone,
  };
}

function familyFields(profile: ProfileRow, record: ApplicantProfileRecord) {
  return {
    sibling_count: profile.siblingCount,
    birth_order: profile.birthOrder,
    father_name: profile.fatherName,
    father_age: profile.fatherAge,
    father_occupation: profile.fatherOccupation,
    mother_name: profile.motherName,
    mother_age: profile.motherAge,
    mother_occupation: profile.motherOccupation,
    spouse_name: profile.spouseName,
    spouse_age: profile.spouseAge,
    spouse_occupation: profile.spouseOccupation,
    family_address: profile.familyAddress,
    family_province: profile.familyProvinceId,
    family_district: profile.familyDistrictId,
    family_village: profile.familyVillageId,
    family_village_display: regionDisplay(profile.familyVillageId, record.familyVillageNames),
    family_contact_phone: profile.familyContactPhone,
  };
}

function otherFields(profile: ProfileRow) {
  return {
    education_level: profile.educationLevel,
    education_major: profile.educationMajor,
    height_cm: profile.heightCm,
    weight_kg: profile.weightKg,
    wears_glasses: profile.wearsGlasses,
    writing_hand: profile.writingHand,
    has_passport: profile.hasPassport,
    passport_number: profile.passportNumber,
    passport_issue_date: profile.passportIssueDate,
    passport_expiry_date: profile.passportExpiryDate,
    passport_issue_place: profile.passportIssuePlace,
    family_card_number: profile.familyCardNumber,
    diploma_number: profile.diplomaNumber,
    bpjs_number: profile.bpjsNumber,
    shoe_size: profile.shoeSize,
    shirt_size: profile.shirtSize,
    photo: profile.photo,
    notes: profile.notes,
  };
}

function verificationFields(profile: ProfileRow) {
  return {
    verification_status: profile.verificationStatus,
    submitted_at: formatDateTime(profile.submittedAt),
    verified_at: formatDateTime(profile.verifiedAt),
    verified_by: profile.verifiedById,
    verification_notes: profile.verificationNotes,
    score: profile.score,
  };
}
