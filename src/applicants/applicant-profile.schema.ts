import { z } from "@hono/zod-openapi";
import {
  type applicantProfiles,
  DESTINATION_COUNTRIES,
  EDUCATION_LEVELS,
  GENDERS,
  MARITAL_STATUSES,
  RELIGIONS,
  VERIFICATION_STATUSES,
  WRITING_HANDS,
} from "../db/schema";
import type { FieldErrors } from "../lib/errors";
import { databaseId } from "../lib/ids";
import { multiLineText, singleLineText } from "../lib/text";
import { ageOn, todayInJakarta } from "../lib/time";

export const MIN_APPLICANT_AGE = 18;
export const MAX_APPLICANT_AGE = 45;

const text = (max: number) => singleLineText({ max });
/** A phone number of digits, spaces, `-` and a leading `+`. The empty string clears it. */
export const phoneNumber = z
  .string()
  .trim()
  .max(20)
  .regex(/^(\+?[0-9][0-9 -]{5,18})?$/, "Nomor telepon hanya boleh berisi angka, spasi, - dan +.");
const regionId = databaseId.nullable();
const age = z.number().int().min(0).max(120).nullable();
const isoDate = z.iso.date("Gunakan format tanggal YYYY-MM-DD.");
const digits = (length: number, label: string) =>
  z.string().regex(new RegExp(`^[0-9]{${length}}$`), `${label} harus ${length} digit angka.`);

const birthDate = isoDate.nullable().superRefine((value, context) => {
  // zod runs refinements even after the format check failed, so only a valid date is compared.
  if (value === null || !isoDate.safeParse(value).success) return;
  const today = todayInJakarta();
  if (value > today) {
    context.addIssue({ code: "custom", message: "Tanggal lahir tidak boleh di masa depan." });
    return;
  }
  const years = ageOn(value, today);
  if (years < MIN_APPLICANT_AGE || years > MAX_APPLICANT_AGE) {
    context.addIssue({
      code: "custom",
      message: `Usia pelamar harus ${MIN_APPLICANT_AGE}–${MAX_APPLICANT_AGE} tahun (saat ini ${years}).`,
    });
  }
});

/**
 * Fields of the ApplicantProfile that the applicant may write, every one optional (PATCH
 * semantics). Region links carry ids, as in the response. Unknown and read-only fields
 * (`referrer`, `verification_status`, `score`, …) are stripped, not rejected, as DRF does.
 */
export const applicantProfileInputSchema = z
  .object({
    full_name: singleLineText({ max: 150, min: 1 }),
    destination_country: z.enum(DESTINATION_COUNTRIES),
    nik: digits(16, "NIK"),
    birth_place: regionId,
    birth_date: birthDate,
    gender: z.enum(GENDERS).nullable(),
    religion: z.enum(RELIGIONS).nullable(),
    marital_status: z.enum(MARITAL_STATUSES).nullable(),
    address: multiLineText({ max: 1000 }),
    province: regionId,
    district: regionId,
    village: regionId,
    contact_phone: phoneNumber,
    sibling_count: z.number().int().min(0).max(30).nullable(),
    birth_order: z.number().int().min(1).max(30).nullable(),
    father_name: text(150),
    father_age: age,
    father_occupation: text(100),
    mother_name: text(150),
    mother_age: age,
    mother_occupation: text(100),
    spouse_name: text(150),
    spouse_age: age,
    spouse_occupation: text(100),
    family_address: multiLineText({ max: 1000 }),
    family_province: regionId,
    family_district: regionId,
    family_village: regionId,
    family_contact_phone: phoneNumber,
    data_declaration_confirmed: z.boolean(),
    zero_cost_understood: z.boolean(),
    education_level: z.enum(EDUCATION_LEVELS).nullable(),
    education_major: text(100),
    height_cm: z.number().int().min(100).max(250).nullable(),
    weight_kg: z.number().int().min(25).max(250).nullable(),
    wears_glasses: z.boolean().nullable(),
    writing_hand: z.enum(WRITING_HANDS).nullable(),
    has_passport: z.boolean(),
    passport_number: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{0,20}$/, "Nomor paspor hanya boleh berisi huruf dan angka (maks. 20)."),
    passport_issue_date: isoDate.nullable(),
    passport_expiry_date: isoDate.nullable(),
    passport_issue_place: text(100),
    family_card_number: z.union([z.literal(""), digits(16, "Nomor Kartu Keluarga")]),
    diploma_number: text(50),
    bpjs_number: z
      .string()
      .trim()
      .regex(/^[0-9]{0,20}$/, "Nomor BPJS hanya boleh berisi angka."),
    shoe_size: text(10),
    shirt_size: text(10),
    notes: multiLineText({ max: 2000 }),
  })
  .partial()
  .openapi("ApplicantProfileInput");

export type ApplicantProfileInput = z.infer<typeof applicantProfileInputSchema>;

type ProfileRow = typeof applicantProfiles.$inferSelect;
type ProfileColumns = Partial<Omit<ProfileRow, "id" | "userId">>;

/** Input keys that link to region rows. Their columns carry an `Id` suffix. */
export const REGION_FIELDS = [
  "birth_place",
  "province",
  "district",
  "village",
  "family_province",
  "family_district",
  "family_village",
] as const;

/** Converts validated input (except `full_name`, a users column) into profile column values. */
export function toProfileColumns(input: ApplicantProfileInput): ProfileColumns {
  const columns: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (field === "full_name" || value === undefined) continue;
    const camel = field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    const isRegion = (REGION_FIELDS as readonly string[]).includes(field);
    columns[isRegion ? `${camel}Id` : camel] = value;
  }
  return columns as ProfileColumns;
}

type PassportFields = Pick<
  ProfileRow,
  "hasPassport" | "passportNumber" | "passportIssueDate" | "passportExpiryDate"
>;

/**
 * Checks the rules that span fields on the profile as it would be after the update: a
 * passport number when `has_passport`, and an expiry date after the issue date.
 */
export function passportRuleErrors(profile: PassportFields): FieldErrors {
  const errors: FieldErrors = {};
  if (profile.hasPassport && profile.passportNumber.trim() === "") {
    errors.passport_number = ["Nomor paspor wajib diisi jika memiliki paspor."];
  }
  const { passportIssueDate: issued, passportExpiryDate: expires } = profile;
  if (issued && expires && expires <= issued) {
    errors.passport_expiry_date = ["Tanggal habis berlaku paspor harus setelah tanggal terbit."];
  }
  return errors;
}

const nullableString = z.string().nullable();
const nullableInt = z.number().int().nullable();
const datetime = z.string().nullable().openapi({ example: "2026-12-04T23:05:01.123+07:00" });

/** `{province, regency, district, village}` names of a village and its parents. */
export const RegionDisplaySchema = z
  .object({
    province: nullableString,
    regency: nullableString,
    district: nullableString,
    village: nullableString,
  })
  .nullable()
  .openapi("RegionDisplay");

/** The ApplicantProfile as the API renders it (see `serializeApplicantProfile`). */
export const ApplicantProfileSchema = z
  .object({
    id: z.number().int(),
    user: z.number().int(),
    full_name: z.string(),
    referrer: nullableInt,
    registration_date: z.string(),
    destination_country: z.enum(DESTINATION_COUNTRIES),
    nik: nullableString,
    nik_warnings: z.array(z.string()),
    birth_place: nullableInt,
    birth_date: nullableString,
    gender: z.enum(GENDERS).nullable(),
    religion: z.enum(RELIGIONS).nullable(),
    marital_status: z.enum(MARITAL_STATUSES).nullable(),
    address: z.string(),
    province: nullableInt,
    district: nullableInt.openapi({ description: "Regency (kabupaten/kota) id." }),
    village: nullableInt,
    village_display: RegionDisplaySchema,
    contact_phone: z.string(),
    sibling_count: nullableInt,
    birth_order: nullableInt,
    father_name: z.string(),
    father_age: nullableInt,
    father_occupation: z.string(),
    mother_name: z.string(),
    mother_age: nullableInt,
    mother_occupation: z.string(),
    spouse_name: z.string(),
    spouse_age: nullableInt,
    spouse_occupation: z.string(),
    family_address: z.string(),
    family_province: nullableInt,
    family_district: nullableInt,
    family_village: nullableInt,
    family_village_display: RegionDisplaySchema,
    family_contact_phone: z.string(),
    data_declaration_confirmed: z.boolean(),
    zero_cost_understood: z.boolean(),
    education_level: z.enum(EDUCATION_LEVELS).nullable(),
    education_major: z.string(),
    height_cm: nullableInt,
    weight_kg: nullableInt,
    wears_glasses: z.boolean().nullable(),
    writing_hand: z.enum(WRITING_HANDS).nullable(),
    has_passport: z.boolean(),
    passport_number: z.string(),
    passport_issue_date: nullableString,
    passport_expiry_date: nullableString,
    passport_issue_place: z.string(),
    family_card_number: z.string(),
    diploma_number: z.string(),
    bpjs_number: z.string(),
    shoe_size: z.string(),
    shirt_size: z.string(),
    photo: nullableString,
    notes: z.string(),
    verification_status: z.enum(VERIFICATION_STATUSES),
    submitted_at: datetime,
    verified_at: datetime,
    verified_by: nullableInt,
    verification_notes: z.string(),
    score: z.number(),
    created_at: datetime,
    updated_at: datetime,
  })
  .openapi("ApplicantProfile");
