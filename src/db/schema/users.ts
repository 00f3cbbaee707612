import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { createdAt, enumCheck, idColumn, timestampColumn, updatedAt } from "./columns";

export const USER_ROLES = ["ADMIN", "STAFF", "COMPANY", "APPLICANT"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const users = pgTable(
  "users",
  {
    id: idColumn(),
    email: varchar("email", { length: 254 }).notNull(),
    fullName: varchar("full_name", { length: 150 }).notNull().default(""),
    role: varchar("role", { length: 16, enum: USER_ROLES }).notNull().default("APPLICANT"),
    isActive: boolean("is_active").notNull().default(true),
    emailVerified: boolean("email_verified").notNull().default(false),
    emailVerifiedAt: timestampColumn("email_verified_at"),
    googleId: varchar("google_id", { length: 255 }),
    referralCode: varchar("referral_code", { length: 8 }),
    /** Self-describing PBKDF2 hash, or null for accounts that only sign in with Google. */
    passwordHash: text("password_hash"),
    /** Random value embedded in access tokens; replacing it invalidates them. */
    securityStamp: varchar("security_stamp", { length: 64 }).notNull(),
    dateJoined: timestampColumn("date_joined").notNull().defaultNow(),
    lastLogin: timestampColumn("last_login"),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex("users_email_key").on(table.email),
    uniqueIndex("users_google_id_key").on(table.googleId),
    uniqueIndex("users_referral_code_key").on(table.referralCode),
    index("users_role_idx").on(table.role),
    index("users_role_is_active_idx").on(table.role, table.isActive),
    index("users_email_verified_idx").on(table.emailVerified),
    index("users_date_joined_idx").on(table.dateJoined),
    // Orderings of the applicant list, with the id that breaks ties and bounds cursor pages.
    index("users_full_name_id_idx").on(table.fullName, table.id),
    index("users_updated_at_id_idx").on(table.updatedAt, table.id),
    index("users_email_trgm_idx").using("gin", sql`${table.email} gin_trgm_ops`),
    index("users_full_name_trgm_idx").using("gin", sql`${table.fullName} gin_trgm_ops`),
    enumCheck("users_role_check", table.role, USER_ROLES),
    check("users_email_lower_check", sql`${table.email} = lower(${table.email})`),
    check(
      "users_referral_code_format_check",
      sql`${table.referralCode} is null or ${table.referralCode} ~ '^[SA]-[A-Z0-9]{6}$'`,
    ),
  ],
);

export const staffProfiles = pgTable("staff_profiles", {
  id: idColumn(),
  userId: integer("user_id")
    .notNull()
    .unique()
    .references(() => users.id),
  contactPhone: varchar("contact_phone", { length: 20 }).notNull().default(""),
  photo: text("photo"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const companyProfiles = pgTable(
  "company_profiles",
  {
    id: idColumn(),
    userId: integer("user_id")
      .notNull()
      .unique()
      .references(() => users.id),
    companyName: varchar("company_name", { length: 255 }).notNull(),
    contactPhone: varchar("contact_phone", { length: 20 }).notNull().default(""),
    address: text("address").notNull().default(""),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    check("company_profiles_company_name_check", sql`length(trim(${table.companyName})) > 0`),
  ],
);
