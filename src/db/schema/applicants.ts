import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  index,
  integer,
  numeric,
  pgTable,
  smallint,
  text,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { createdAt, enumCheck, idColumn, timestampColumn, updatedAt } from "./columns";
import { provinces, regencies, villages } from "./regions";
import { users } from "./users";

export const GENDERS = ["M", "F", "O"] as const;
export const RELIGIONS = ["ISLAM", "KRISTEN", "KATHOLIK", "HINDU", "BUDHA", "LAINNYA"] as const;
export const MARITAL_STATUSES = ["BELUM MENIKAH", "MENIKAH", "CERAI HIDUP", "CERAI MATI"] as const;
export const EDUCATION_LEVELS = ["SMP", "SMA", "SMK", "MA", "D3", "S1"] as const;
export const WRITING_HANDS = ["KANAN", "KIRI"] as const;
export const DESTINATION_COUNTRIES = ["MALAYSIA"] as const;
export const VERIFICATION_STATUSES = ["DRAFT", "SUBMITTED", "ACCEPTED", "REJECTED"] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

const regencyRef = (name: string) => integer(name).references(() => regencies.id);
const provinceRef = (name: string) => integer(name).references(() => provinces.id);
const villageRef = (name: string) => integer(name).references(() => villages.id);

/** FORM BIODATA PMI: one row per APPLICANT user. `district_id` columns point at regencies. */
export const applicantProfiles = pgTable(
  "applicant_profiles",
  {
    id: idColumn(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),

    referrerId: integer("referrer_id").references(() => users.id),
    registrationDate: date("registration_date", { mode: "string" })
      .notNull()
      .default(sql`(now() at time zone 'Asia/Jakarta')::date`),
    destinationCountry: varchar("destination_country", {
      length: 32,
      enum: DESTINATION_COUNTRIES,
    })
      .notNull()
      .default("MALAYSIA"),

    nik: varchar("nik", { length: 16 }),
    birthPlaceId: regencyRef("birth_place_id"),
    birthDate: date("birth_date", { mode: "string" }),
    gender: varchar("gender", { length: 1, enum: GENDERS }),
    religion: varchar("religion", { length: 16, enum: RELIGIONS }),
    maritalStatus: varchar("marital_status", {
      length: 16,
      enum: MARITAL_STATUSES,
    }),

    address: text("address").notNull().default(""),
    provinceId: provinceRef("province_id"),
    districtId: regencyRef("district_id"),
    villageId: villageRef("village_id"),
    contactPhone: varchar("contact_phone", { length: 20 }).notNull().default(""),

    siblingCount: smallint("sibling_count"),
    birthOrder: smallint("birth_order"),
    fatherName: varchar("father_name", { length: 150 }).notNull().default(""),
    fatherAge: smallint("father_age"),
    fatherOccupation: varchar("father_occupation", { length: 100 }).notNull().default(""),
    motherName: varchar("mother_name", { length: 150 }).notNull().default(""),
    motherAge: smallint("mother_age"),
    motherOccupation: varchar("mother_occupation", { length: 100 }).notNull().default(""),
    spouseName: varchar("spouse_name", { length: 150 }).notNull().default(""),
    spouseAge: smallint("spouse_age"),
    spouseOccupation: varchar("spouse_occupation", { length: 100 }).notNull().default(""),
    familyAddress: text("family_address").notNull().default(""),
    familyProvinceId: provinceRef("family_province_id"),
    familyDistrictId: regencyRef("family_district_id"),
    familyVillageId: villageRef("family_village_id"),
    familyContactPhone: varchar("family_contact_phone", { length: 20 }).notNull().default(""),

    dataDeclarationConfirmed: boolean("data_declaration_confirmed").notNull().default(false),
    zeroCostUnderstood: boolean("zero_cost_understood").notNull().default(false),

    educationLevel: varchar("education_level", {
      length: 8,
      enum: EDUCATION_LEVELS,
    }),
    educationMajor: varchar("education_major", { length: 100 }).notNull().default(""),
    heightCm: smallint("height_cm"),
    weightKg: smallint("weight_kg"),
    wearsGlasses: boolean("wears_glasses"),
    writingHand: varchar("writing_hand", { length: 8, enum: WRITING_HANDS }),
    hasPassport: boolean("has_passport").notNull().default(false),
    passportNumber: varchar("passport_number", { length: 20 }).notNull().default(""),
    passportIssueDate: date("passport_issue_date", { mode: "string" }),
    passportExpiryDate: date("passport_expiry_date", { mode: "string" }),
    passportIssuePlace: varchar("passport_issue_place", { length: 100 }).notNull().default(""),
    familyCardNumber: varchar("family_card_number", { length: 16 }).notNull().default(""),
    diplomaNumber: varchar("diploma_number", { length: 50 }).notNull().default(""),
    bpjsNumber: varchar("bpjs_number", { length: 20 }).notNull().default(""),
    shoeSize: varchar("shoe_size", { length: 10 }).notNull().default(""),
    shirtSize: varchar("shirt_size", { length: 10 }).notNull().default(""),
    photo: text("photo"),
    notes: text("notes").notNull().default(""),

    verificationStatus: varchar("verification_status", {
      length: 16,
      enum: VERIFICATION_STATUSES,
    })
      .notNull()
      .default("DRAFT"),
    submittedAt: timestampColumn("submitted_at"),
    verifiedAt: timestampColumn("verified_at"),
    verifiedById: integer("verified_by_id").references(() => users.id),
    verificationNotes: text("verification_notes").notNull().default(""),
    score: numeric("score", { precision: 4, scale: 1, mode: "number" }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex("applicant_profiles_user_id_key").on(table.userId),
    uniqueIndex("applicant_profiles_nik_key").on(table.nik),
    index("applicant_profiles_status_submitted_idx").on(
      table.verificationStatus,
      table.submittedAt,
    ),
    index("applicant_profiles_status_created_idx").on(table.verificationStatus, table.createdAt),
    index("applicant_profiles_referrer_created_idx").on(table.referrerId, table.createdAt),
    index("applicant_profiles_created_at_idx").on(table.createdAt),
    // Applicant list orderings by a profile column break ties on user_id; see listOrderKeys.
    index("applicant_profiles_created_user_idx").on(table.createdAt, table.userId),
    index("applicant_profiles_score_user_idx").on(table.score, table.userId),
    index("applicant_profiles_status_user_idx").on(table.verificationStatus, table.userId),
    index("applicant_profiles_province_status_idx").on(table.provinceId, table.verificationStatus),
    index("applicant_profiles_district_status_idx").on(table.districtId, table.verificationStatus),
    // Region filters in the default (newest first) order: the page is the first rows of one
    // range, and with user_id in the index the page and the count are index-only scans.
    index("applicant_profiles_province_created_idx").on(
      table.provinceId,
      table.createdAt,
      table.userId,
    ),
    index("applicant_profiles_district_created_idx").on(
      table.districtId,
      table.createdAt,
      table.userId,
    ),
    index("applicant_profiles_religion_status_idx").on(table.religion, table.verificationStatus),
    index("applicant_profiles_education_status_idx").on(
      table.educationLevel,
      table.verificationStatus,
    ),
    index("applicant_profiles_marital_status_idx").on(
      table.maritalStatus,
      table.verificationStatus,
    ),
    index("applicant_profiles_nik_trgm_idx").using("gin", sql`${table.nik} gin_trgm_ops`),
    index("applicant_profiles_contact_phone_trgm_idx").using(
      "gin",
      sql`${table.contactPhone} gin_trgm_ops`,
    ),
    check(
      "applicant_profiles_nik_format_check",
      sql`${table.nik} is null or ${table.nik} ~ '^[0-9]{16}$'`,
    ),
    check(
      "applicant_profiles_passport_dates_check",
      sql`${table.passportExpiryDate} is null or ${table.passportIssueDate} is null or ${table.passportExpiryDate} > ${table.passportIssueDate}`,
    ),
    check(
      "applicant_profiles_submitted_at_check",
      sql`${table.verificationStatus} = 'DRAFT' or ${table.submittedAt} is not null`,
    ),
    check(
      "applicant_profiles_verified_at_check",
      sql`${table.verificationStatus} not in ('ACCEPTED', 'REJECTED') or ${table.verifiedAt} is not null`,
    ),
    enumCheck("applicant_profiles_gender_check", table.gender, GENDERS),
    enumCheck("applicant_profiles_religion_check", table.religion, RELIGIONS),
    enumCheck("applicant_profiles_marital_status_check", table.maritalStatus, MARITAL_STATUSES),
    enumCheck("applicant_profiles_education_level_check", table.educationLevel, EDUCATION_LEVELS),
    enumCheck("applicant_profiles_writing_hand_check", table.writingHand, WRITING_HANDS),
    enumCheck(
      "applicant_profiles_destination_check",
      table.destinationCountry,
      DESTINATION_COUNTRIES,
    ),
    enumCheck("applicant_profiles_status_check", table.verificationStatus, VERIFICATION_STATUSES),
    check("applicant_profiles_score_check", sql`${table.score} between 0 and 100`),
  ],
);

export const INDUSTRY_TYPES = [
  "SEMICONDUCTOR",
  "ELEKTRONIK",
  "PABRIK LAIN",
  "JASA",
  "LAIN LAIN",
  "BELUM PERNAH BEKERJA",
] as const;

export const workExperiences = pgTable(
  "work_experiences",
  {
    id: idColumn(),
    applicantProfileId: integer("applicant_profile_id")
      .notNull()
      .references(() => applicantProfiles.id, { onDelete: "cascade" }),
    companyName: varchar("company_name", { length: 255 }).notNull(),
    location: varchar("location", { length: 255 }).notNull().default(""),
    country: varchar("country", { length: 2 }).notNull().default(""),
    industryType: varchar("industry_type", {
      length: 32,
      enum: INDUSTRY_TYPES,
    }),
    position: varchar("position", { length: 150 }).notNull().default(""),
    department: varchar("department", { length: 150 }).notNull().default(""),
    startDate: date("start_date", { mode: "string" }),
    endDate: date("end_date", { mode: "string" }),
    stillEmployed: boolean("still_employed").notNull().default(false),
    description: text("description").notNull().default(""),
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("work_experiences_profile_order_idx").on(table.applicantProfileId, table.sortOrder),
    enumCheck("work_experiences_industry_type_check", table.industryType, INDUSTRY_TYPES),
    check(
      "work_experiences_dates_check",
      sql`${table.stillEmployed} or ${table.endDate} is null or ${table.startDate} is null or ${table.endDate} >= ${table.startDate}`,
    ),
  ],
);
