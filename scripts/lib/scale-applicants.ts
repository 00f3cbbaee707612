// Rows for `npm run seed:scale`: the demo applicant of `buildApplicant`, completed with every
// remaining profile field, explicit ids and a document row per uploaded document type.
import { getTableColumns } from "drizzle-orm";
import {
  type applicantDocuments,
  applicantProfiles,
  type users,
  type workExperiences,
} from "../../src/db/schema";
import { buildApplicant, type DemoContext, type Kecamatan } from "./demo-applicants";
import { type DemoRandom, indonesianName, OCCUPATIONS, phoneNumber } from "./demo-data";

type UserRow = typeof users.$inferInsert;
type ProfileRow = typeof applicantProfiles.$inferInsert;
type WorkExperienceRow = typeof workExperiences.$inferInsert;
type DocumentRow = typeof applicantDocuments.$inferInsert;

export const SCALE_EMAIL_DOMAIN = "scale.kms.test";

/** A document type as the loader needs it. */
export interface ScaleDocumentType {
  id: number;
  code: string;
  format: "pdf" | "image";
  isRequired: boolean;
}

export interface ScaleContext extends DemoContext {
  documentTypes: ScaleDocumentType[];
  /** One hash shared by every scale account, or null when no pepper is configured. */
  passwordHash: string | null;
  /** The next free id of each table; advanced as rows are built. */
  nextIds: { user: number; profile: number; workExperience: number; document: number };
}

/** The rows of one batch of applicants, per table. */
export interface ScaleBatch {
  users: UserRow[];
  profiles: ProfileRow[];
  workExperiences: WorkExperienceRow[];
  documents: DocumentRow[];
}

// Every profile row starts as a copy of one object with all columns, in one order. Spreading
// demo profiles of varying key sets into new objects was ten times slower than the rest of
// the generation together (measured in Node 20), because each key set needs its own shape.
const PROFILE_TEMPLATE = Object.fromEntries(
  Object.keys(getTableColumns(applicantProfiles)).map((key) => [key, undefined]),
) as Partial<ProfileRow>;

/** Builds applicants `start` to `end - 1` (the index makes each email unique). */
export function buildScaleBatch(context: ScaleContext, start: number, end: number): ScaleBatch {
  const batch: ScaleBatch = { users: [], profiles: [], workExperiences: [], documents: [] };
  for (let index = start; index < end; index++) addApplicant(context, index, batch);
  return batch;
}

function addApplicant(context: ScaleContext, index: number, batch: ScaleBatch): void {
  const { random, nextIds } = context;
  const demo = buildApplicant(context, index);
  const userId = nextIds.user++;
  const profileId = nextIds.profile++;
  const joined = demo.user.dateJoined as Date;
  batch.users.push({
    ...demo.user,
    id: userId,
    email: (demo.user.email as string).replace(/@.*$/, `@${SCALE_EMAIL_DOMAIN}`),
    isActive: random.chance(0.95),
    passwordHash: context.passwordHash,
    lastLogin: random.chance(0.6) ? between(random, joined, context.now) : null,
    updatedAt: joined,
  });

  const profile: ProfileRow = Object.assign(
    { ...PROFILE_TEMPLATE },
    demo.profile,
    remainingFields(context, demo.profile),
    { id: profileId, userId },
  );
  const documents = documentRows(context, profileId, profile);
  profile.score = (profile.score ?? 0) + approvedShare(documents);
  batch.profiles.push(profile);
  batch.documents.push(...documents);
  for (const experience of demo.workExperiences) {
    batch.workExperiences.push({
      ...experience,
      id: nextIds.workExperience++,
      applicantProfileId: profileId,
      location: context.random.pick(["Batam", "Penang", "Johor Bahru", "Bekasi", "Singapura"]),
      department: context.random.pick(["Produksi", "Gudang", "Penjualan", "Dapur"]),
      description: "",
      stillEmployed: false,
      createdAt: profile.createdAt,
      updatedAt: profile.createdAt,
    });
  }
}

/** Family, passport, identity numbers and the other fields `buildApplicant` leaves empty. */
function remainingFields(context: ScaleContext, profile: Omit<ProfileRow, "userId">) {
  const { random } = context;
  const married = profile.maritalStatus === "MENIKAH";
  const familyRegion: Kecamatan | null = random.chance(0.8)
    ? null
    : context.kecamatan.length > 0
      ? random.pick(context.kecamatan)
      : null;
  const hasPassport = random.chance(0.3);
  const passportIssued = new Date(context.now.getTime() - random.int(30, 1500) * 86_400_000);
  const passportExpiry = new Date(passportIssued.getTime() + 5 * 365 * 86_400_000);
  const birthPlace = context.kecamatan.length > 0 ? random.pick(context.kecamatan) : null;
  return {
    destinationCountry: "MALAYSIA" as const,
    birthPlaceId: birthPlace?.regencyId ?? null,
    siblingCount: random.int(0, 7),
    birthOrder: random.int(1, 4),
    fatherAge: random.int(40, 80),
    motherAge: random.int(38, 78),
    spouseName: married ? indonesianName(random, profile.gender === "F" ? "M" : "F") : "",
    spouseAge: married ? random.int(20, 50) : null,
    spouseOccupation: married ? random.pick(OCCUPATIONS) : "",
    familyAddress: familyRegion ? `Dusun ${random.int(1, 12)} RT ${random.int(1, 9)}` : "",
    familyProvinceId: familyRegion ? familyRegion.provinceId : profile.provinceId,
    familyDistrictId: familyRegion ? familyRegion.regencyId : profile.districtId,
    familyVillageId: familyRegion ? familyRegion.villageId : profile.villageId,
    familyContactPhone: phoneNumber(random),
    dataDeclarationConfirmed: profile.verificationStatus !== "DRAFT" || random.chance(0.5),
    zeroCostUnderstood: profile.verificationStatus !== "DRAFT" || random.chance(0.5),
    educationMajor: random.pick(["", "IPA", "IPS", "Teknik Mesin", "Tata Boga", "Akuntansi"]),
    wearsGlasses: random.chance(0.9) ? random.chance(0.15) : null,
    writingHand: random.chance(0.9) ? ("KANAN" as const) : ("KIRI" as const),
    hasPassport,
    passportNumber: hasPassport ? `C${random.int(1_000_000, 9_999_999)}` : "",
    passportIssueDate: hasPassport ? passportIssued.toISOString().slice(0, 10) : null,
    passportExpiryDate: hasPassport ? passportExpiry.toISOString().slice(0, 10) : null,
    passportIssuePlace: hasPassport ? random.pick(["Jakarta", "Surabaya", "Medan", "Batam"]) : "",
    familyCardNumber: digits(random, 16),
    diplomaNumber: `DN-${digits(random, 10)}`,
    bpjsNumber: digits(random, 13),
    shoeSize: String(random.int(36, 44)),
    shirtSize: random.pick(["S", "M", "L", "XL"]),
    photo: null,
    notes: random.chance(0.1) ? "Bersedia ditempatkan di pabrik elektronik." : "",
    verifiedById: profile.verifiedById ?? null,
    verificationNotes: profile.verificationNotes ?? "",
  };
}

/**
 * Documents by verification status: DRAFT profiles have uploaded none to four types;
 * submitted and decided ones every required type, all APPROVED for ACCEPTED profiles.
 */
function documentRows(context: ScaleContext, profileId: number, profile: ProfileRow) {
  const { random } = context;
  const status = profile.verificationStatus;
  const types =
    status === "DRAFT"
      ? context.documentTypes.slice(0, random.int(0, 4))
      : context.documentTypes.filter((type) => type.isRequired);
  const uploadedAt = profile.submittedAt ?? (profile.createdAt as Date);
  return types.map((type): DocumentRow => {
    const review = reviewFor(random, status);
    const processing = processingFor(random, type);
    const extension = type.format === "pdf" ? "pdf" : "jpg";
    return {
      id: context.nextIds.document++,
      applicantProfileId: profileId,
      documentTypeId: type.id,
      file: `account/documents/${profileId}/${type.code}/${crypto.randomUUID()}.${extension}`,
      fileVersion: 1,
      originalName: `${type.code}.${extension}`,
      contentType: type.format === "pdf" ? "application/pdf" : "image/jpeg",
      sizeBytes: random.int(80_000, 2_000_000),
      uploadedAt,
      updatedAt: profile.verifiedAt ?? uploadedAt,
      processingStatus: processing,
      processingError: processing === "failed" ? "image could not be decoded" : null,
      ocrText: type.code === "ktp" && processing === "done" ? `NIK ${profile.nik}` : null,
      ocrData: type.code === "ktp" && processing === "done" ? { nik: profile.nik } : null,
      ocrProcessedAt: type.code === "ktp" && processing === "done" ? uploadedAt : null,
      reviewStatus: review,
      reviewedById: review === "PENDING" ? null : (profile.verifiedById ?? null),
      reviewedAt: review === "PENDING" ? null : (profile.verifiedAt ?? null),
      reviewNotes: review === "REJECTED" ? "Dokumen tidak terbaca." : "",
    };
  });
}

function reviewFor(random: DemoRandom, status: ProfileRow["verificationStatus"]) {
  if (status === "ACCEPTED") return "APPROVED" as const;
  if (status === "REJECTED") {
    return random.weighted({ APPROVED: 60, REJECTED: 40 });
  }
  return "PENDING" as const;
}

function processingFor(random: DemoRandom, type: ScaleDocumentType) {
  if (type.format === "pdf") return random.weighted({ skipped: 97, pending: 3 });
  return random.weighted({ done: 90, pending: 4, processing: 2, failed: 4 });
}

/** Computes the 40 % share of the score: approved documents over uploaded ones. */
function approvedShare(documents: DocumentRow[]): number {
  if (documents.length === 0) return 0;
  const approved = documents.filter((document) => document.reviewStatus === "APPROVED").length;
  return Math.round((400 * approved) / documents.length) / 10;
}

function between(random: DemoRandom, from: Date, to: Date): Date {
  return new Date(from.getTime() + random.next() * (to.getTime() - from.getTime()));
}

function digits(random: DemoRandom, count: number): string {
  let text = String(random.int(1, 9));
  while (text.length < count) text += String(random.int(0, 9));
  return text;
}
