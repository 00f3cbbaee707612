import { z } from "@hono/zod-openapi";
import { iso31661 } from "iso-3166";
import { INDUSTRY_TYPES, type workExperiences } from "../db/schema";
import type { FieldErrors } from "../lib/errors";
import { multiLineText, singleLineText } from "../lib/text";
import { formatDateTime } from "../lib/time";

type WorkExperienceRow = typeof workExperiences.$inferSelect;

/** Assigned ISO 3166-1 alpha-2 codes, from the `iso-3166` package (reserved codes excluded). */
const COUNTRY_CODES = new Set(iso31661.map((country) => country.alpha2));

const text = (max: number) => singleLineText({ max });
const isoDate = z.iso.date("Gunakan format tanggal YYYY-MM-DD.").nullable();

/** Fields of a work experience that a client writes. POST and PUT need `company_name`. */
export const WorkExperienceInputSchema = z
  .object({
    company_name: text(255).min(1, "Nama perusahaan wajib diisi."),
    location: text(255).optional(),
    country: singleLineText({ max: 2 })
      .toUpperCase()
      .refine(
        (code) => code === "" || COUNTRY_CODES.has(code),
        "Gunakan kode negara ISO 3166-1 alpha-2, misalnya MY atau ID.",
      )
      .optional(),
    industry_type: z.enum(INDUSTRY_TYPES).nullable().optional(),
    position: text(150).optional(),
    department: text(150).optional(),
    start_date: isoDate.optional(),
    end_date: isoDate.optional(),
    still_employed: z.boolean().optional(),
    description: multiLineText({ max: 5000 }).optional(),
    sort_order: z.number().int().min(0).max(10_000).optional(),
  })
  .openapi("WorkExperienceInput");

/** PATCH: every field optional, `company_name` still non-empty when sent. */
export const WorkExperiencePatchSchema =
  WorkExperienceInputSchema.partial().openapi("WorkExperiencePatch");

export type WorkExperienceInput = z.infer<typeof WorkExperiencePatchSchema>;

/** Column values of a work experience, as written by POST, PUT and PATCH. */
export type WorkExperienceColumns = Omit<
  WorkExperienceRow,
  "id" | "applicantProfileId" | "createdAt" | "updatedAt"
>;

/** Defaults that POST and PUT store for the fields a body leaves out. */
export const EMPTY_WORK_EXPERIENCE: WorkExperienceColumns = {
  companyName: "",
  location: "",
  country: "",
  industryType: null,
  position: "",
  department: "",
  startDate: null,
  endDate: null,
  stillEmployed: false,
  description: "",
  sortOrder: 0,
};

/** Overlays the sent fields on `base`: the stored row for PATCH, the empty one otherwise. */
export function mergeWorkExperience(
  base: WorkExperienceColumns,
  input: WorkExperienceInput,
): WorkExperienceColumns {
  const pick = <T>(value: T | undefined, fallback: T) => (value === undefined ? fallback : value);
  return {
    companyName: pick(input.company_name, base.companyName),
    location: pick(input.location, base.location),
    country: pick(input.country, base.country),
    industryType: pick(input.industry_type, base.industryType),
    position: pick(input.position, base.position),
    department: pick(input.department, base.department),
    startDate: pick(input.start_date, base.startDate),
    endDate: pick(input.end_date, base.endDate),
    stillEmployed: pick(input.still_employed, base.stillEmployed),
    description: pick(input.description, base.description),
    sortOrder: pick(input.sort_order, base.sortOrder),
  };
}

/**
 * Checks the rules across fields on the entry as it would be stored: a current job has no
 * end date, and a past one ends on or after its start.
 */
export function workExperienceRuleErrors(entry: WorkExperienceColumns): FieldErrors {
  if (entry.stillEmployed && entry.endDate !== null) {
    return { end_date: ["Kosongkan tanggal selesai jika masih bekerja di sini."] };
  }
  if (entry.startDate && entry.endDate && entry.endDate < entry.startDate) {
    return { end_date: ["Tanggal selesai tidak boleh sebelum tanggal mulai."] };
  }
  return {};
}

/** A work experience as the API renders it. */
export const WorkExperienceSchema = z
  .object({
    id: z.number().int(),
    applicant_profile: z.number().int(),
    company_name: z.string(),
    location: z.string(),
    country: z.string(),
    industry_type: z.enum(INDUSTRY_TYPES).nullable(),
    position: z.string(),
    department: z.string(),
    start_date: z.string().nullable(),
    end_date: z.string().nullable(),
    still_employed: z.boolean(),
    description: z.string(),
    sort_order: z.number().int(),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
  })
  .openapi("WorkExperience");

export type WorkExperienceJson = z.infer<typeof WorkExperienceSchema>;

/** Renders a stored work experience in snake_case with Jakarta timestamps. */
export function serializeWorkExperience(row: WorkExperienceRow): WorkExperienceJson {
  return {
    id: row.id,
    applicant_profile: row.applicantProfileId,
    company_name: row.companyName,
    location: row.location,
    country: row.country,
    industry_type: row.industryType,
    position: row.position,
    department: row.department,
    start_date: row.startDate,
    end_date: row.endDate,
    still_employed: row.stillEmployed,
    description: row.description,
    sort_order: row.sortOrder,
    created_at: formatDateTime(row.createdAt),
    updated_at: formatDateTime(row.updatedAt),
  };
}
