import { bigint, index, integer, jsonb, pgTable, varchar } from "drizzle-orm/pg-core";
import { applicantProfiles } from "./applicants";
import { createdAt, enumCheck, idColumn, timestampColumn } from "./columns";
import { users } from "./users";

/** A signed-in device. Access tokens carry its id, so ending it ends them too. */
export const sessions = pgTable(
  "sessions",
  {
    id: idColumn(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    userAgent: varchar("user_agent", { length: 512 }).notNull().default(""),
    ipHash: varchar("ip_hash", { length: 64 }),
    createdAt: createdAt(),
    lastUsedAt: timestampColumn("last_used_at").notNull().defaultNow(),
    /** Sliding expiry, pushed forward on every refresh but never past `absolute_expires_at`. */
    expiresAt: timestampColumn("expires_at").notNull(),
    absoluteExpiresAt: timestampColumn("absolute_expires_at").notNull(),
    revokedAt: timestampColumn("revoked_at"),
    revokedReason: varchar("revoked_reason", { length: 32 }),
  },
  (table) => [
    index("sessions_user_id_idx").on(table.userId),
    index("sessions_expires_at_idx").on(table.expiresAt),
  ],
);

/**
 * Every refresh token a session has been given, stored as SHA-256 hashes. The current one has
 * `replaced_at` null; presenting a replaced one is reuse.
 */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    tokenHash: varchar("token_hash", { length: 64 }).primaryKey(),
    sessionId: integer("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    replacedAt: timestampColumn("replaced_at"),
  },
  (table) => [index("refresh_tokens_session_id_idx").on(table.sessionId)],
);

export const ONE_TIME_TOKEN_PURPOSES = ["email_verification", "password_reset"] as const;
export type OneTimeTokenPurpose = (typeof ONE_TIME_TOKEN_PURPOSES)[number];

/** Links sent by email. Only the SHA-256 hash of the token is stored. */
export const oneTimeTokens = pgTable(
  "one_time_tokens",
  {
    id: idColumn(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    purpose: varchar("purpose", {
      length: 32,
      enum: ONE_TIME_TOKEN_PURPOSES,
    }).notNull(),
    tokenHash: varchar("token_hash", { length: 64 }).notNull().unique(),
    /** The address the link was sent to; a verification link dies when the email changes. */
    email: varchar("email", { length: 254 }).notNull(),
    createdAt: createdAt(),
    expiresAt: timestampColumn("expires_at").notNull(),
    usedAt: timestampColumn("used_at"),
  },
  (table) => [
    enumCheck("one_time_tokens_purpose_check", table.purpose, ONE_TIME_TOKEN_PURPOSES),
    index("one_time_tokens_user_purpose_idx").on(table.userId, table.purpose),
    index("one_time_tokens_expires_at_idx").on(table.expiresAt),
  ],
);

/** Who did what to whom and when. `ip_hash` is a keyed hash, never the address itself. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    action: varchar("action", { length: 64 }).notNull(),
    actorId: integer("actor_id").references(() => users.id),
    targetUserId: integer("target_user_id").references(() => users.id),
    applicantProfileId: integer("applicant_profile_id").references(() => applicantProfiles.id),
    ipHash: varchar("ip_hash", { length: 64 }),
    details: jsonb("details").notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [
    index("audit_events_target_user_created_idx").on(table.targetUserId, table.createdAt),
    index("audit_events_profile_created_idx").on(table.applicantProfileId, table.createdAt),
    index("audit_events_action_created_idx").on(table.action, table.createdAt),
  ],
);
