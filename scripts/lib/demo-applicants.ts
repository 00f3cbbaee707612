import { eq, lt, sql } from "drizzle-orm";
import type { Database } from "../../src/db/client";
import type { applicantProfiles, users, workExperiences } from "../../src/db/schema";
import * as schema from "../../src/db/schema";
import { todayInJakarta } from "../../src/lib/time";
import {
  birthDateForAge,
  COMPANIES,
  type DemoRandom,
  emailLocalPart,
  indonesianName,
  nikFor,
  OCCUPATIONS,
  phoneNumber,
} from "./demo-data";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Applicants registered over this many days before now. */
const HISTORY_DAYS = 180;
const SCORED_FIELDS = 11;

/** A kecamatan with its parents, for NIK prefixes and address region ids. */
export interface Kecamatan {
  code: string;
  regencyId: number;
  provinceId: number;
  villageId: number | null;
}

/** Loads every real kecamatan with its regency, province and first village. */
export async function loadKecamatan(db: Database): Promise<Kecamatan[]> {
  const { districts, provinces, regencies, villages } = schema;
  // One grouped pass over the villages: a subquery per kecamatan scanned them 7,000 times.
  const firstVillages = db
    .select({
      districtId: villages.districtId,
      villageId: sql<number>`min(${villages.id})`.as("village_id"),
    })
    .from(villages)
    .groupBy(villages.districtId)
    .as("first_villages");
  return (
    db
      .select({
        code: districts.code,
        regencyId: regencies.id,
        provinceId: regencies.provinceId,
        villageId: sql<number | null>`${firstVillages.villageId}`,
      })
      .from(districts)
      .innerJoin(regencies, eq(regencies.id, districts.regencyId))
      .innerJoin(provinces, eq(provinces.id, regencies.provinceId))
      .leftJoin(firstVillages, eq(firstVillages.districtId, districts.id))
      // Province codes 97–99 hold the test suite's made-up regions.
      .where(lt(provinces.code, "97"))
  );
}

export interface DemoContext {
  random: DemoRandom;
  kecamatan: Kecamatan[];
  staffIds: number[];
  takenNiks: Set<string>;
  seed: number;
  now: Date;
}

type Status = "DRAFT" | "SUBMITTED" | "ACCEPTED" | "REJECTED";

/** Rows for one applicant: the user, the profile (without user id) and work experiences. */
export function buildApplicant(context: DemoContext, index: number) {
  const { random } = context;
  const gender = random.chance(0.7) ? "F" : "M";
  const fullName = indonesianName(random, gender);
  const birthDate = birthDateForAge(random, context.now);
  const region = context.kecamatan.length > 0 ? random.pick(context.kecamatan) : null;
  const kecamatanCode =
    region?.code ?? `${random.int(11, 94)}${String(random.int(1, 9999)).padStart(4, "0")}`;
  const nik = nikFor(kecamatanCode, birthDate, gender, random.int(0, 9998), context.takenNiks);
  const createdAt = new Date(context.now.getTime() - random.next() * HISTORY_DAYS * DAY_MS);

  const emailVerified = random.chance(0.8);
  const user: typeof users.$inferInsert = {
    email: `${emailLocalPart(fullName)}.${context.seed}.${index}@demo.kms.test`,
    fullName,
    role: "APPLICANT",
    emailVerified,
    emailVerifiedAt: emailVerified ? createdAt : null,
    securityStamp: crypto.randomUUID(),
    dateJoined: createdAt,
  };
  const profile: Omit<typeof applicantProfiles.$inferInsert, "userId"> = {
    referrerId: random.chance(0.7) ? random.pick(context.staffIds) : null,
    registrationDate: todayInJakarta(createdAt),
    nik,
    birthDate,
    gender,
    religion: random.weighted({
      ISLAM: 85,
      KRISTEN: 7,
      KATHOLIK: 3,
      HINDU: 2,
      BUDHA: 1,
      LAINNYA: 2,
    }),
    maritalStatus: random.weighted({
      "BELUM MENIKAH": 55,
      MENIKAH: 35,
      "CERAI HIDUP": 8,
      "CERAI MATI": 2,
    }),
    address: `Jl. ${random.pick(["Merdeka", "Sudirman", "Diponegoro", "Kartini", "Pahlawan"])} No. ${random.int(1, 200)}`,
    provinceId: region?.provinceId ?? null,
    districtId: region?.regencyId ?? null,
    villageId: region?.villageId ?? null,
    contactPhone: phoneNumber(random),
    educationLevel: random.weighted({ SMP: 30, SMA: 30, SMK: 25, MA: 8, D3: 4, S1: 3 }),
    heightCm: random.int(145, 180),
    weightKg: random.int(40, 85),
    fatherName: indonesianName(random, "M"),
    fatherOccupation: random.pick(OCCUPATIONS),
    motherName: indonesianName(random, "F"),
    motherOccupation: random.pick(OCCUPATIONS),
    createdAt,
    updatedAt: createdAt,
    ...verificationHistory(context, createdAt),
  };
  profile.score = profileScore(profile, fullName);
  return { user, profile, workExperiences: workHistory(random, birthDate, context.now.getTime()) };
}

/** A status with timestamps in order: created ≤ submitted ≤ verified ≤ now. */
function verificationHistory(context: DemoContext, createdAt: Date) {
  const { random, now } = context;
  const status: Status = random.weighted({ DRAFT: 35, SUBMITTED: 25, ACCEPTED: 25, REJECTED: 15 });
  if (status === "DRAFT") return { verificationStatus: status };
  const between = (from: Date) =>
    new Date(from.getTime() + random.next() * (now.getTime() - from.getTime()));
  const submittedAt = between(createdAt);
  if (status === "SUBMITTED") return { verificationStatus: status, submittedAt };
  return {
    verificationStatus: status,
    submittedAt,
    verifiedAt: between(submittedAt),
    verifiedById: random.pick(context.staffIds),
    verificationNotes: status === "REJECTED" ? "Dokumen belum lengkap." : "",
  };
}

/** The 60 % share of the score from filled fields; no documents are uploaded, so none approved. */
function profileScore(
  profile: Omit<typeof applicantProfiles.$inferInsert, "userId">,
  fullName: string,
) {
  const filled = [
    fullName,
    profile.nik,
    profile.birthDate,
    profile.gender,
    profile.address,
    profile.contactPhone,
    profile.provinceId,
    profile.districtId,
    profile.villageId,
    profile.educationLevel,
    profile.maritalStatus,
  ].filter((value) => value !== null && value !== undefined && value !== "").length;
  return Math.round(((60 * filled) / SCORED_FIELDS) * 10) / 10;
}

/** Zero to three earlier jobs, each after the applicant turned 18 and ended before today. */
function workHistory(random: DemoRandom, birthDate: string, now: number) {
  const count = random.weighted({ 0: 30, 1: 40, 2: 20, 3: 10 });
  const adult = new Date(`${birthDate}T00:00:00Z`).getTime() + 18 * 365 * DAY_MS;
  const rows: Omit<typeof workExperiences.$inferInsert, "applicantProfileId">[] = [];
  for (let order = 0; order < Number(count); order++) {
    const start = adult + random.next() * Math.max(0, now - adult - 400 * DAY_MS);
    const end = Math.min(start + random.int(90, 1000) * DAY_MS, now - DAY_MS);
    rows.push({
      companyName: random.pick(COMPANIES),
      country: random.pick(["ID", "MY", "SG"]),
      industryType: random.pick(["SEMICONDUCTOR", "ELEKTRONIK", "PABRIK LAIN", "JASA"] as const),
      position: random.pick(["Operator Produksi", "Staf Gudang", "Pramuniaga", "Juru Masak"]),
      startDate: new Date(start).toISOString().slice(0, 10),
      endDate: new Date(Math.max(end, start)).toISOString().slice(0, 10),
      sortOrder: order,
    });
  }
  return rows;
}
