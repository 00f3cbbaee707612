import { z } from "@hono/zod-openapi";
import { applicantProfileInputSchema, phoneNumber } from "../applicants/applicant-profile.schema";
import { databaseId, urlId } from "../lib/ids";
import { pageQueryFields } from "../lib/pagination";
import { emailAddress, multiLineText, singleLineText } from "../lib/text";

/** A user id in the path. Junk and ids past the int4 range are 404 `not_found`. */
export const UserIdParamsSchema = z.object({ id: urlId });

// The service checks the password rules. The maximum length bounds the hashing cost.
const password = z.string().min(1).max(128).openapi({ writeOnly: true });
const fullName = singleLineText({ max: 150, min: 1 });

const accountFields = {
  email: emailAddress,
  password,
  full_name: fullName.optional(),
  is_active: z.boolean().optional(),
  email_verified: z.boolean().optional(),
};

const staffProfileInput = z
  .object({ full_name: fullName, contact_phone: phoneNumber })
  .partial()
  .openapi("StaffProfileInput");

const companyProfileFields = {
  company_name: singleLineText({ max: 255, min: 1 }),
  contact_phone: phoneNumber,
  address: multiLineText({ max: 1000 }),
};

/**
 * The applicant's profile as the back office writes it: every field an applicant may write,
 * plus `referrer`, the id of a STAFF or ADMIN user.
 */
export const backOfficeApplicantProfileInput = applicantProfileInputSchema
  .extend({ referrer: databaseId.nullable().optional() })
  .openapi("BackOfficeApplicantProfileInput");

export type BackOfficeApplicantProfileInput = z.infer<typeof backOfficeApplicantProfileInput>;

/** A role change is possible only inside the back office, between ADMIN and STAFF. */
const backOfficeRole = z.enum(["ADMIN", "STAFF"]);

export const AdminCreateSchema = z.object(accountFields).openapi("AdminCreate");

export const StaffCreateSchema = z
  .object({ ...accountFields, staff_profile: staffProfileInput.optional() })
  .openapi("StaffCreate");

export const CompanyCreateSchema = z
  .object({
    ...accountFields,
    company_profile: z.object({
      ...companyProfileFields,
      contact_phone: phoneNumber.optional(),
      address: companyProfileFields.address.optional(),
    }),
  })
  .openapi("CompanyCreate");

export const ApplicantCreateSchema = z
  .object({ ...accountFields, applicant_profile: backOfficeApplicantProfileInput.optional() })
  .openapi("ApplicantCreate");

/*
 * PUT and PATCH bodies: every field optional for both methods, as for /api/me/, because the
 * portal sends only the fields that changed. Unknown and read-only fields are stripped.
 */
const accountUpdateFields = {
  email: emailAddress.optional(),
  password: password.optional(),
  full_name: fullName.optional(),
  is_active: z.boolean().optional(),
  email_verified: z.boolean().optional(),
};

export const AdminUpdateSchema = z
  .object({ ...accountUpdateFields, role: backOfficeRole.optional() })
  .openapi("AdminUpdate");

export const StaffUpdateSchema = z
  .object({
    ...accountUpdateFields,
    role: backOfficeRole.optional(),
    staff_profile: staffProfileInput.optional(),
  })
  .openapi("StaffUpdate");

export const CompanyUpdateSchema = z
  .object({
    ...accountUpdateFields,
    company_profile: z.object(companyProfileFields).partial().optional(),
  })
  .openapi("CompanyUpdate");

export const ApplicantUpdateSchema = z
  .object({ ...accountUpdateFields, applicant_profile: backOfficeApplicantProfileInput.optional() })
  .openapi("ApplicantUpdate");

/** Every create or update body, after validation by the schema of its resource. */
export interface AccountInput {
  email?: string;
  password?: string;
  full_name?: string;
  is_active?: boolean;
  email_verified?: boolean;
  role?: "ADMIN" | "STAFF";
  staff_profile?: z.infer<typeof staffProfileInput>;
  company_profile?: Partial<z.infer<z.ZodObject<typeof companyProfileFields>>>;
  applicant_profile?: BackOfficeApplicantProfileInput;
}

const booleanParam = z
  .enum(["true", "false"], "Gunakan true atau false.")
  .transform((value) => value === "true");

/** Query of the account lists: page, filters, `search` and `ordering`. */
export const AccountListQuerySchema = z.object({
  ...pageQueryFields,
  is_active: booleanParam.optional(),
  email_verified: booleanParam.optional(),
  search: singleLineText({ max: 200 }).optional(),
  ordering: singleLineText({ max: 200 }).optional(),
});

export type AccountListQuery = z.infer<typeof AccountListQuerySchema>;

/** Body of /api/admins/send-verification-email/ and /api/admins/send-password-reset/. */
export const UserIdBodySchema = z.object({ user_id: databaseId }).openapi("UserIdBody");
