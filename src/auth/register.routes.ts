import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { applicantProfileInputSchema } from "../applicants/applicant-profile.schema";
import { type AppContext, type AppEnv, serviceContext } from "../context";
import { hashClientIp } from "../lib/audit";
import { AppError, type FieldErrors, validationError, zodIssuesToFieldErrors } from "../lib/errors";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonResponse,
  multipartBody,
  requireMultipart,
} from "../lib/openapi";
import { emailAddress } from "../lib/text";
import { limitPerIp, rateLimitedResponse } from "../rate-limits/rate-limit.middleware";
import { respondWithTokens } from "./auth-response";
import { MAX_PASSWORD_LENGTH } from "./passwords";
import {
  checkRegistration,
  type DocumentType,
  findDocumentType,
  KTP_DOCUMENT_CODE,
  type RegistrationFields,
  type RegistrationInput,
  registerApplicant,
} from "./register.service";
import { startSession } from "./sessions.service";

// Room for the text fields and the multipart framing on top of the KTP's own size limit.
const FORM_FIELDS_ALLOWANCE_BYTES = 64 * 1024;

const profileFields = applicantProfileInputSchema.shape;

const REPEATED_FIELD = "Kirim field ini satu kali saja.";

/**
 * Rejects a field sent as several parts with `message`. Hono's form parser turns repeated
 * parts into an array, which would otherwise fail with the schema's "missing" message.
 */
const singlePart = <T extends z.ZodType>(schema: T, message = REPEATED_FIELD) =>
  z.preprocess((value, context) => {
    if (Array.isArray(value)) context.addIssue({ code: "custom", message, input: value });
    return value;
  }, schema);

/** Multipart clients send an empty part for a field left blank; treat it as absent. */
const blankAsMissing = <T extends z.ZodType>(schema: T) =>
  singlePart(z.preprocess((value) => (value === "" ? undefined : value), schema.optional()));

export const RegisterFormSchema = z
  .object({
    email: singlePart(emailAddress),
    password: singlePart(
      z
        .string()
        .min(1)
        .max(
          MAX_PASSWORD_LENGTH,
          `Kata sandi terlalu panjang. Maksimal ${MAX_PASSWORD_LENGTH} karakter.`,
        ),
    ),
    nik: singlePart(z.string().trim().pipe(profileFields.nik.unwrap())),
    ktp: singlePart(
      z
        .instanceof(File, { message: "Foto KTP wajib diunggah sebagai file (JPG atau PNG)." })
        .openapi({ type: "string", format: "binary" }),
      "Kirim tepat satu file KTP.",
    ),
    referral_code: blankAsMissing(
      z
        .string()
        .trim()
        .toUpperCase()
        .regex(/^[SA]-[A-Z0-9]{6}$/, "Kode referral tidak valid atau tidak aktif."),
    ),
    full_name: blankAsMissing(profileFields.full_name.unwrap()),
    phone_number: blankAsMissing(profileFields.contact_phone.unwrap()),
    birth_date: blankAsMissing(profileFields.birth_date.unwrap()),
  })
  .openapi("RegisterForm");

type RegisterForm = z.infer<typeof RegisterFormSchema>;

const UserSummarySchema = z.object({
  id: z.number().int(),
  email: z.string(),
  full_name: z.string(),
  role: z.enum(["ADMIN", "STAFF", "COMPANY", "APPLICANT"]),
  is_active: z.boolean(),
  email_verified: z.boolean(),
});

export const TokenDataSchema = z.object({
  user: UserSummarySchema,
  access: z.string(),
  refresh: z.string(),
});

// The KTP's size limit is a row of `document_types`, read before the body to set the body
// limit. This map keeps it for the rest of the request.
const ktpTypes = new WeakMap<Request, DocumentType>();

async function ktpTypeOf(c: AppContext): Promise<DocumentType> {
  let type = ktpTypes.get(c.req.raw);
  if (!type) {
    type = await findDocumentType(serviceContext(c).db, KTP_DOCUMENT_CODE);
    ktpTypes.set(c.req.raw, type);
  }
  return type;
}

const limitRegistrationBody = createMiddleware<AppEnv>(async (c, next) => {
  const ktpType = await ktpTypeOf(c);
  const megabytes = Math.floor(ktpType.maxSizeBytes / (1024 * 1024));
  const limit = bodyLimit({
    maxSize: ktpType.maxSizeBytes + FORM_FIELDS_ALLOWANCE_BYTES,
    onError: () => {
      throw new AppError(
        413,
        "payload_too_large",
        `Ukuran data yang dikirim terlalu besar. Foto KTP maksimal ${megabytes} MB.`,
      );
    },
  });
  return limit(c, next);
});

const registerRoute = createRoute({
  method: "post",
  path: "/api/auth/register/",
  tags: ["auth"],
  summary: "Register an applicant with a KTP photo",
  middleware: [limitPerIp("register"), requireMultipart, limitRegistrationBody] as const,
  request: multipartBody(RegisterFormSchema),
  responses: {
    201: jsonResponse("Account created and signed in", envelopeSchema(TokenDataSchema)),
    400: errorResponse("Invalid field; `errors` lists every failing field"),
    413: errorResponse("Body larger than the KTP limit"),
    415: errorResponse("Body is not multipart/form-data"),
    429: rateLimitedResponse,
  },
});

/** Maps the form fields that passed the schema to the service's field names. */
function registrationFields(form: Partial<RegisterForm>): RegistrationFields {
  return {
    email: form.email,
    password: form.password,
    nik: form.nik,
    ktp: form.ktp,
    referralCode: form.referral_code,
  };
}

function registrationInput(form: RegisterForm): RegistrationInput {
  return {
    email: form.email,
    password: form.password,
    nik: form.nik,
    ktp: form.ktp,
    referralCode: form.referral_code,
    fullName: form.full_name,
    phoneNumber: form.phone_number,
    birthDate: form.birth_date ?? undefined,
  };
}

/**
 * Collects the schema errors and the checks that need the database or the file into one
 * `errors` map, so the client sees every failing field at once. Only fields that passed the
 * schema are checked further.
 */
async function rejectInvalidForm(
  c: AppContext,
  raw: unknown,
  schemaErrors: FieldErrors,
): Promise<never> {
  const valid: Partial<RegisterForm> = {};
  const values = (raw ?? {}) as Record<string, unknown>;
  for (const [name, schema] of Object.entries(RegisterFormSchema.shape)) {
    const parsed = await schema.safeParseAsync(values[name]);
    if (parsed.success) Object.assign(valid, { [name]: parsed.data });
  }
  const services = serviceContext(c);
  const check = await checkRegistration(services, registrationFields(valid), await ktpTypeOf(c));
  throw validationError({ ...check.errors, ...schemaErrors });
}

export const registerRoutes = createRouter().openapi(
  registerRoute,
  async (c) => {
    const form = c.req.valid("form");
    const services = serviceContext(c);
    const ktpType = await ktpTypeOf(c);

    const check = await checkRegistration(services, registrationFields(form), ktpType);
    if (Object.keys(check.errors).length > 0 || !check.ktp) throw validationError(check.errors);

    const user = await registerApplicant(services, registrationInput(form), {
      referrerId: check.referrerId,
      ktp: check.ktp,
      ktpType,
      ipHash: await hashClientIp(c),
    });
    const tokens = await startSession(c, user);
    return respondWithTokens(c, {
      status: 201,
      code: "registered",
      detail: "Pendaftaran berhasil. Silakan cek email Anda untuk verifikasi.",
      user,
      tokens,
    });
  },
  (result, c) => {
    if (result.success) return undefined;
    // The validator passes the unparsed form as `data` on failure too; its type omits it.
    const raw = (result as { data?: unknown }).data;
    return rejectInvalidForm(c, raw, zodIssuesToFieldErrors(result.error.issues));
  },
);
