import { eq, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { type DatabaseHandle, openDatabase } from "../db/client";
import { applicantProfiles, provinces, regencies, users, villages } from "../db/schema";
import type { Config } from "../env";
import { describeError, type Logger } from "../lib/logger";
import { formatDateTime } from "../lib/time";
import { applicantFilterCondition } from "./applicant-filters";
import {
  keysetCondition,
  keyTextFields,
  type OrderKey,
  orderByClauses,
} from "./applicant-ordering";
import { type ApplicantListQuery, listOrderKeys } from "./applicant-search.service";
import { type CsvValue, csvRow, UTF8_BOM } from "./csv";

/** Rows per query; each batch is written out before the next is read. */
export const EXPORT_BATCH_SIZE = 1000;

const referrer = alias(users, "referrer");

/** CSV columns: the header and how each is read from a selected row. */
const COLUMNS: [string, (row: ExportRow) => CsvValue][] = [
  ["user_id", (row) => row.userId],
  ["email", (row) => row.email],
  ["full_name", (row) => row.fullName],
  ["is_active", (row) => row.isActive],
  ["email_verified", (row) => row.emailVerified],
  ["date_joined", (row) => formatDateTime(row.dateJoined)],
  ["profile_id", (row) => row.profile.id],
  ["nik", (row) => row.profile.nik],
  ["birth_date", (row) => row.profile.birthDate],
  ["gender", (row) => row.profile.gender],
  ["religion", (row) => row.profile.religion],
  ["marital_status", (row) => row.profile.maritalStatus],
  ["education_level", (row) => row.profile.educationLevel],
  ["education_major", (row) => row.profile.educationMajor],
  ["contact_phone", (row) => row.profile.contactPhone],
  ["address", (row) => row.profile.address],
  ["province", (row) => row.provinceName],
  ["district", (row) => row.regencyName],
  ["village", (row) => row.villageName],
  ["height_cm", (row) => row.profile.heightCm],
  ["weight_kg", (row) => row.profile.weightKg],
  ["has_passport", (row) => row.profile.hasPassport],
  ["passport_number", (row) => row.profile.passportNumber],
  ["destination_country", (row) => row.profile.destinationCountry],
  ["registration_date", (row) => row.profile.registrationDate],
  ["referrer_id", (row) => row.profile.referrerId],
  ["referrer_email", (row) => row.referrerEmail],
  ["verification_status", (row) => row.profile.verificationStatus],
  ["submitted_at", (row) => formatDateTime(row.profile.submittedAt)],
  ["verified_at", (row) => formatDateTime(row.profile.verifiedAt)],
  ["score", (row) => row.profile.score],
  ["created_at", (row) => formatDateTime(row.profile.createdAt)],
];

export const EXPORT_HEADER = COLUMNS.map(([name]) => name);

function selectExportRows(db: DatabaseHandle["db"], keys: OrderKey[]) {
  return db
    .select({
      userId: users.id,
      email: users.email,
      fullName: users.fullName,
      isActive: users.isActive,
      emailVerified: users.emailVerified,
      dateJoined: users.dateJoined,
      profile: applicantProfiles,
      provinceName: provinces.name,
      regencyName: regencies.name,
      villageName: villages.name,
      referrerEmail: referrer.email,
      keys: keyTextFields(keys),
    })
    .from(users)
    .innerJoin(applicantProfiles, eq(applicantProfiles.userId, users.id))
    .leftJoin(provinces, eq(provinces.id, applicantProfiles.provinceId))
    .leftJoin(regencies, eq(regencies.id, applicantProfiles.districtId))
    .leftJoin(villages, eq(villages.id, applicantProfiles.villageId))
    .leftJoin(referrer, eq(referrer.id, applicantProfiles.referrerId))
    .$dynamic();
}

type ExportRow = Awaited<ReturnType<typeof selectExportRows>>[number];

/**
 * Streams the applicants matching `query` as CSV: the BOM and header first, then one chunk
 * per keyset batch of EXPORT_BATCH_SIZE rows, read only when the client has taken the last
 * one, so memory stays flat whatever the row count. The stream opens its own database
 * connection, because the request's connection closes as soon as the handler returns. It
 * closes that connection when the stream ends, fails or is cancelled.
 */
export function exportApplicantsCsv(
  config: Config,
  logger: Logger,
  query: ApplicantListQuery,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const keys = listOrderKeys("applicants", query.ordering);
  const filter = applicantFilterCondition(query);
  let database: DatabaseHandle | null = null;
  let after: string[] | null = null;
  let exported = 0;

  const closeDatabase = async () => {
    const handle = database;
    database = null;
    await handle?.close();
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(UTF8_BOM + csvRow(EXPORT_HEADER)));
    },
    async pull(controller) {
      try {
        database ??= openDatabase(config);
        const conditions: SQL[] = [filter];
        if (after) conditions.push(keysetCondition(keys, after, false));
        const rows = await selectExportRows(database.db, keys)
          .where(sql.join(conditions, sql` and `))
          .orderBy(...orderByClauses(keys))
          .limit(EXPORT_BATCH_SIZE);

        exported += rows.length;
        if (rows.length > 0) controller.enqueue(encoder.encode(rowsToCsv(rows)));
        const last = rows[rows.length - 1];
        if (rows.length < EXPORT_BATCH_SIZE || !last) {
          await closeDatabase();
          logger.info("applicant export finished", { rows: exported });
          controller.close();
          return;
        }
        after = keys.map((_, index) => last.keys[`key${index}`] as string);
      } catch (error) {
        await closeDatabase().catch(() => {});
        logger.error("applicant export failed", { rows: exported, ...describeError(error) });
        controller.error(error);
      }
    },
    async cancel() {
      logger.warn("applicant export cancelled", { rows: exported });
      await closeDatabase();
    },
  });
}

function rowsToCsv(rows: ExportRow[]): string {
  let chunk = "";
  for (const row of rows) chunk += csvRow(COLUMNS.map(([, read]) => read(row)));
  return chunk;
}
