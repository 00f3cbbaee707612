import { eq } from "drizzle-orm";
import { z } from "zod";
import { checkPasswordRules, hashPassword, type PasswordConfig } from "../auth/passwords";
import { newSecurityStamp } from "../auth/sessions.service";
import type { Database } from "../db/client";
import { users } from "../db/schema";
import { type FieldErrors, validationError } from "../lib/errors";
import { violatedUniqueConstraint } from "./database-errors";
import { generateReferralCode } from "./referral-codes";

// 36^6 codes per prefix, so a second collision in a row means something else is wrong.
const REFERRAL_CODE_ATTEMPTS = 5;

export interface AdminAccountInput {
  email: string;
  password: string;
  fullName?: string;
  config: PasswordConfig;
}

const EMAIL_TAKEN = "Email sudah digunakan oleh akun lain.";

/**
 * Creates an active ADMIN with a verified email and an `A-` referral code, retrying when the
 * random code is already taken. Throws a 400 `validation_error` AppError with `errors.email`
 * (invalid or taken) or `errors.password` (the password rules) and inserts nothing then.
 */
export async function createAdminAccount(
  db: Database,
  input: AdminAccountInput,
): Promise<{ id: number; email: string }> {
  const email = input.email.trim().toLowerCase();
  await validateAdminInput(db, email, input);

  const passwordHash = await hashPassword(input.password, input.config);
  for (let attempt = 1; ; attempt++) {
    try {
      const [created] = await db
        .insert(users)
        .values({
          email,
          fullName: input.fullName?.trim() ?? "",
          role: "ADMIN",
          isActive: true,
          emailVerified: true,
          emailVerifiedAt: new Date(),
          referralCode: generateReferralCode("ADMIN"),
          passwordHash,
          securityStamp: newSecurityStamp(),
        })
        .returning({ id: users.id, email: users.email });
      return created!;
    } catch (error) {
      const constraint = violatedUniqueConstraint(error);
      if (constraint === "users_email_key") throw validationError({ email: [EMAIL_TAKEN] });
      if (constraint !== "users_referral_code_key" || attempt >= REFERRAL_CODE_ATTEMPTS) {
        throw error;
      }
    }
  }
}

async function validateAdminInput(db: Database, email: string, input: AdminAccountInput) {
  const errors: FieldErrors = {};
  if (!z.email().max(254).safeParse(email).success) {
    errors.email = ["Masukkan alamat email yang valid."];
  } else if (await emailTaken(db, email)) {
    errors.email = [EMAIL_TAKEN];
  }
  const passwordProblems = checkPasswordRules(input.password, email);
  if (passwordProblems.length > 0) errors.password = passwordProblems;
  if ((input.fullName?.trim().length ?? 0) > 150) {
    errors.full_name = ["Nama lengkap paling banyak 150 karakter."];
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
}

async function emailTaken(db: Database, email: string): Promise<boolean> {
  const rows = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
  return rows.length > 0;
}
