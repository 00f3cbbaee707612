import { z } from "@hono/zod-openapi";
import {
  ApplicantProfileSchema,
  applicantProfileInputSchema,
  phoneNumber,
} from "../applicants/applicant-profile.schema";
import { USER_ROLES } from "../db/schema";
import { emailAddress, multiLineText, singleLineText } from "../lib/text";

const datetime = z.string().nullable().openapi({ example: "2026-12-04T23:05:01.123+07:00" });
const baseUserFields = {
  id: z.number().int(),
  email: z.string(),
  full_name: z.string(),
  role: z.enum(USER_ROLES),
  is_active: z.boolean(),
  email_verified: z.boolean(),
  email_verified_at: datetime,
  date_joined: datetime,
  updated_at: datetime,
};

export const AdminUserSchema = z
  .object({ ...baseUserFields, last_login: datetime, referral_code: z.string().nullable() })
  .openapi("AdminUser");

export const StaffUserSchema = AdminUserSchema.extend({
  google_id: z.string().nullable(),
  staff_profile: z
    .object({
      id: z.number().int(),
      full_name: z.string(),
      contact_phone: z.string(),
      photo: z.string().nullable(),
      created_at: datetime,
      updated_at: datetime,
    })
    .nullable(),
}).openapi("StaffUser");

export const CompanyUserSchema = z
  .object({
    ...baseUserFields,
    last_login: datetime,
    company_profile: z
      .object({
        id: z.number().int(),
        company_name: z.string(),
        contact_phone: z.string(),
        address: z.string(),
        created_at: datetime,
        updated_at: datetime,
      })
      .nullable(),
  })
  .openapi("CompanyUser");

export const ApplicantUserSchema = z
  .object({ ...baseUserFields, applicant_profile: ApplicantProfileSchema.nullable() })
  .openapi("ApplicantUser");

/** The signed-in user in the shape for its role. */
export const MeSchema = z.union([
  StaffUserSchema,
  AdminUserSchema,
  CompanyUserSchema,
  ApplicantUserSchema,
]);

/**
 * Body of PUT and PATCH /api/me/. Every field is optional for both methods, because a user
 * may change any one of them alone. Fields of another role's profile and read-only fields
 * (`role`, `is_active`, `email_verified`, …) are stripped without an error, as DRF does.
 */
export const MeUpdateSchema = z
  .object({
    full_name: singleLineText({ max: 150, min: 1 }),
    email: emailAddress,
    // The service checks the password rules, control characters included. The maximum length
    // bounds the hashing cost.
    password: z.string().min(1).max(128).openapi({ writeOnly: true }),
    current_password: z.string().max(128).openapi({ writeOnly: true }),
    staff_profile: z
      .object({ full_name: singleLineText({ max: 150, min: 1 }), contact_phone: phoneNumber })
      .partial(),
    company_profile: z
      .object({
        company_name: singleLineText({ max: 255, min: 1 }),
        contact_phone: phoneNumber,
        address: multiLineText({ max: 1000 }),
      })
      .partial(),
    applicant_profile: applicantProfileInputSchema,
  })
  .partial()
  .openapi("MeUpdate");

export type MeUpdateInput = z.infer<typeof MeUpdateSchema>;
