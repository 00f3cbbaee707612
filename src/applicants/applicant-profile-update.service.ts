import { and, eq, inArray, ne } from "drizzle-orm";
import type { Database } from "../db/client";
import { applicantProfiles, districts, provinces, regencies, villages } from "../db/schema";
import { AppError, type FieldErrors } from "../lib/errors";
import {
  type ApplicantProfileInput,
  passportRuleErrors,
  toProfileColumns,
} from "./applicant-profile.schema";
import { applicantProfileScore } from "./score";

type ProfileRow = typeof applicantProfiles.$inferSelect;
export type ProfileColumns = ReturnType<typeof toProfileColumns>;

/** Statuses in which the applicant may still edit. Editing a REJECTED profile reopens it. */
const EDITABLE_STATUSES: readonly string[] = ["DRAFT", "REJECTED"];

export const NIK_TAKEN = "NIK ini sudah terdaftar.";
const REGION_NOT_FOUND = "Wilayah dengan id ini tidak ditemukan.";
const REGION_MISMATCH =
  "Wilayah tidak sesuai: desa, kabupaten/kota dan provinsi harus berada dalam satu wilayah.";

/** The changes of an applicant's update, validated against the stored profile. */
export interface ApplicantProfileUpdate {
  /** Profile columns to set, empty when the input repeats the stored values. */
  columns: ProfileColumns;
  /** The new `users.full_name`, when it changes. */
  fullName?: string;
}

/**
 * Validates an applicant's own update against the stored profile and returns only the values
 * that change. Throws 400 `invalid_transition` when something would change on a SUBMITTED or
 * ACCEPTED profile, and 400 `validation_error` for unknown region ids, a NIK that another
 * profile has, or passport fields that disagree. Editing a REJECTED profile moves it to DRAFT.
 */
export async function prepareApplicantProfileUpdate(
  db: Database,
  current: { profile: ProfileRow; fullName: string },
  input: ApplicantProfileInput,
): Promise<ApplicantProfileUpdate> {
  const columns = changedColumns(current.profile, toProfileColumns(input));
  const update: ApplicantProfileUpdate = { columns };
  if (input.full_name !== undefined && input.full_name !== current.fullName) {
    update.fullName = input.full_name;
  }
  if (Object.keys(columns).length === 0 && update.fullName === undefined) return update;

  const status = current.profile.verificationStatus;
  if (!EDITABLE_STATUSES.includes(status)) {
    throw new AppError(
      400,
      "invalid_transition",
      "Profil yang sudah diajukan atau diterima tidak dapat diubah.",
    );
  }

  const merged: ProfileRow = { ...current.profile, ...columns };
  const errors: FieldErrors = {
    ...passportRuleErrors(merged),
    ...(await regionErrors(db, merged, columns)),
    ...(await nikErrors(db, current.profile, columns)),
  };
  if (Object.keys(errors).length > 0) {
    throw new AppError(400, "validation_error", "Data yang dikirim tidak valid.", {
      applicant_profile: errors,
    });
  }
  if (status === "REJECTED") columns.verificationStatus = "DRAFT";
  // The profile shows `full_name` and scores it, so a name change alone still updates the
  // profile row: its `updated_at` and, through `profileUpdateStatement`, its score.
  columns.updatedAt = new Date();
  return update;
}

/**
 * Builds the update statement for `columns`, for use inside `runAtomic`, and recomputes the
 * score in the same statement. The score reads `users.full_name`, so put this statement after
 * the one that changes the name.
 */
export function profileUpdateStatement(db: Database, profileId: number, columns: ProfileColumns) {
  return db
    .update(applicantProfiles)
    .set({ ...columns, score: applicantProfileScore(columns), updatedAt: new Date() })
    .where(eq(applicantProfiles.id, profileId));
}

function changedColumns(profile: ProfileRow, columns: ProfileColumns): ProfileColumns {
  const stored = profile as Record<string, unknown>;
  const changed: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(columns)) {
    if (stored[column] !== value) changed[column] = value;
  }
  return changed as ProfileColumns;
}

async function nikErrors(
  db: Database,
  profile: ProfileRow,
  columns: ProfileColumns,
): Promise<FieldErrors> {
  const nik = columns.nik;
  if (nik === undefined || nik === null) return {};
  const others = await db
    .select({ id: applicantProfiles.id })
    .from(applicantProfiles)
    .where(and(eq(applicantProfiles.nik, nik), ne(applicantProfiles.id, profile.id)))
    .limit(1);
  return others.length > 0 ? { nik: [NIK_TAKEN] } : {};
}

/**
 * Checks that every region id the update sets exists, and fills an empty province or regency
 * from the village's parents, as the FORM BIODATA does for addresses taken from the KTP.
 */
async function regionErrors(db: Database, merged: ProfileRow, columns: ProfileColumns) {
  const errors: FieldErrors = {};
  const check = (field: string, id: number | null | undefined, found: Set<number>) => {
    if (id !== undefined && id !== null && !found.has(id)) errors[field] = [REGION_NOT_FOUND];
  };

  const provinceIds = await existingIds(db, provinces, [
    columns.provinceId,
    columns.familyProvinceId,
  ]);
  check("province", columns.provinceId, provinceIds);
  check("family_province", columns.familyProvinceId, provinceIds);

  const regencyIds = await existingIds(db, regencies, [
    columns.birthPlaceId,
    columns.districtId,
    columns.familyDistrictId,
  ]);
  check("birth_place", columns.birthPlaceId, regencyIds);
  check("district", columns.districtId, regencyIds);
  check("family_district", columns.familyDistrictId, regencyIds);

  const parents = await villageParents(db, [merged.villageId, merged.familyVillageId]);
  check("village", columns.villageId, new Set(parents.keys()));
  check("family_village", columns.familyVillageId, new Set(parents.keys()));
  fillFromVillage(merged.villageId, merged, columns, "provinceId", "districtId", parents);
  fillFromVillage(
    merged.familyVillageId,
    merged,
    columns,
    "familyProvinceId",
    "familyDistrictId",
    parents,
  );
  if (Object.keys(errors).length > 0) return errors;
  return regionChainErrors(db, merged, columns, parents);
}

const CHAINS = [
  { village: "villageId", regency: "districtId", province: "provinceId", prefix: "" },
  {
    village: "familyVillageId",
    regency: "familyDistrictId",
    province: "familyProvinceId",
    prefix: "family_",
  },
] as const;

/**
 * Rejects an address whose village, regency and province do not belong together, such as a
 * village of Jember under Kabupaten Bogor. Only chains that the update touches are checked, so
 * an edit elsewhere never fails on an older address. The error names the field the update set.
 */
async function regionChainErrors(
  db: Database,
  merged: ProfileRow,
  columns: ProfileColumns,
  parents: Map<number, VillageParents>,
): Promise<FieldErrors> {
  const value = (column: (typeof CHAINS)[number][keyof Omit<(typeof CHAINS)[number], "prefix">]) =>
    columns[column] !== undefined ? (columns[column] ?? null) : merged[column];
  const touched = CHAINS.filter((chain) =>
    [chain.village, chain.regency, chain.province].some((column) => columns[column] !== undefined),
  );
  const regencyProvinces = await regencyProvinceIds(
    db,
    touched.map((chain) => value(chain.regency)),
  );

  const errors: FieldErrors = {};
  for (const chain of touched) {
    const villageId = value(chain.village);
    const regencyId = value(chain.regency);
    const provinceId = value(chain.province);
    const village = villageId === null ? undefined : parents.get(villageId);
    if (village && regencyId !== null && village.regencyId !== regencyId) {
      const field = columns[chain.village] !== undefined ? "village" : "district";
      errors[`${chain.prefix}${field}`] = [REGION_MISMATCH];
      continue;
    }
    const regencyProvince = regencyId === null ? undefined : regencyProvinces.get(regencyId);
    if (regencyProvince !== undefined && provinceId !== null && regencyProvince !== provinceId) {
      const field = columns[chain.regency] !== undefined ? "district" : "province";
      errors[`${chain.prefix}${field}`] = [REGION_MISMATCH];
    }
  }
  return errors;
}

async function regencyProvinceIds(db: Database, ids: (number | null)[]) {
  const wanted = ids.filter((id): id is number => id !== null);
  if (wanted.length === 0) return new Map<number, number>();
  const rows = await db
    .select({ id: regencies.id, provinceId: regencies.provinceId })
    .from(regencies)
    .where(inArray(regencies.id, wanted));
  return new Map(rows.map((row) => [row.id, row.provinceId]));
}

type RegionTable = typeof provinces | typeof regencies;

async function existingIds(db: Database, table: RegionTable, ids: (number | null | undefined)[]) {
  const wanted = ids.filter((id): id is number => typeof id === "number");
  if (wanted.length === 0) return new Set<number>();
  const rows = await db.select({ id: table.id }).from(table).where(inArray(table.id, wanted));
  return new Set(rows.map((row) => row.id));
}

interface VillageParents {
  regencyId: number;
  provinceId: number;
}

async function villageParents(db: Database, ids: (number | null)[]) {
  const wanted = ids.filter((id): id is number => id !== null);
  const parents = new Map<number, VillageParents>();
  if (wanted.length === 0) return parents;
  const rows = await db
    .select({ id: villages.id, regencyId: regencies.id, provinceId: regencies.provinceId })
    .from(villages)
    .innerJoin(districts, eq(districts.id, villages.districtId))
    .innerJoin(regencies, eq(regencies.id, districts.regencyId))
    .where(inArray(villages.id, wanted));
  for (const row of rows) parents.set(row.id, row);
  return parents;
}

function fillFromVillage(
  villageId: number | null,
  merged: ProfileRow,
  columns: ProfileColumns,
  provinceColumn: "provinceId" | "familyProvinceId",
  regencyColumn: "districtId" | "familyDistrictId",
  parents: Map<number, VillageParents>,
) {
  const parent = villageId === null ? undefined : parents.get(villageId);
  if (!parent) return;
  if (merged[provinceColumn] === null) columns[provinceColumn] = parent.provinceId;
  if (merged[regencyColumn] === null) columns[regencyColumn] = parent.regencyId;
}
