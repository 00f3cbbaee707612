import fc from "fast-check";
import { expect } from "vitest";
import type { DatabaseHandle } from "../../../src/db/client";
import type { UserRole } from "../../../src/db/schema";
import { form, MINE, upload } from "../../helpers/documents";
import { api, readJson } from "../../helpers/http";
import { pngImage } from "../../helpers/images";
import { workerWith } from "../../helpers/rate-limits";
import { snapshotText } from "../row-snapshot";
import { type Session, signInAs } from "../security-helpers";
import type { HostileRequest, PathIds } from "./hostile-requests";
import { ANONYMOUS_ONLY, type Operation } from "./openapi-operations";

/**
 * The Worker with every rate limit raised far above what fuzzing sends, so requests reach
 * the handlers instead of stopping at 429. The limiter itself still runs on every request.
 */
export const fuzzClient = workerWith(
  Object.fromEntries(
    [
      "ANONYMOUS",
      "AUTHENTICATED",
      "LOGIN",
      "REFRESH",
      "REGISTER",
      "VERIFY_EMAIL",
      "PASSWORD_RESET",
      "GOOGLE",
      "OCR_PREVIEW",
      "PER_EMAIL",
      "FAILED_LOGIN",
    ].map((name) => [`RATE_LIMIT_${name}`, "1000000/60"]),
  ),
);

/** An applicant session with one work experience and one uploaded KTP. */
async function applicantWithRows() {
  const session = await signInAs("APPLICANT");
  const experience = await api("POST", "/api/applicants/me/work_experiences/", {
    token: session.access,
    json: { company_name: "PT Fuzz", industry_type: "JASA", country: "MY" },
  });
  const document = await upload(session.access, MINE, form("ktp", await pngImage(2, 2), "k.png"));
  if (experience.status !== 201 || document.status !== 201) {
    throw new Error(
      `fixture setup failed: work experience ${experience.status}, KTP upload ${document.status}`,
    );
  }
  return {
    ...session,
    experienceId: String((await readJson(experience)).id),
    documentId: String((await readJson(document)).id),
  };
}

/** Signed-in actors of each role and the rows that back-office operations aim at. */
export async function createFixture() {
  const applicant = await applicantWithRows();
  const target = await applicantWithRows();
  const actors: Record<UserRole, Session> = {
    APPLICANT: applicant,
    STAFF: await signInAs("STAFF"),
    ADMIN: await signInAs("ADMIN"),
    COMPANY: await signInAs("COMPANY"),
  };
  const others = {
    admin: await signInAs("ADMIN"),
    staff: await signInAs("STAFF"),
    company: await signInAs("COMPANY"),
  };
  const profileId = await targetProfileId(target.access);
  const userIds = [...Object.values(actors), target, ...Object.values(others)].map(
    (session) => session.user.id,
  );
  return { actors, applicant, target, others, profileId, userIds };
}

export type Fixture = Awaited<ReturnType<typeof createFixture>>;

async function targetProfileId(access: string): Promise<string> {
  const body = await readJson(await api("GET", "/api/applicants/me/profile/", { token: access }));
  return String(body.data.id);
}

/**
 * Real ids for path parameters, so hostile bodies also reach handlers past their 404 checks.
 * Parameters of shared rows (document types, regions, sessions, files) get junk only.
 */
export function realPathIds(fixture: Fixture): PathIds {
  const { applicant, target, others, profileId } = fixture;
  return (operation, parameter) => {
    const path = operation.path;
    if (path.startsWith("/api/applicants/me/")) {
      if (path.includes("/work_experiences/")) return applicant.experienceId;
      if (path.includes("/documents/")) return applicant.documentId;
      return undefined;
    }
    if (path.startsWith("/api/applicants/{")) {
      if (parameter === operation.pathParams[0]) return String(target.user.id);
      if (path.includes("/work_experiences/")) return target.experienceId;
      if (path.includes("/documents/")) return target.documentId;
    }
    if (path.startsWith("/api/applicant-profiles/{")) return profileId;
    if (path.startsWith("/api/admins/{")) return String(others.admin.user.id);
    if (path.startsWith("/api/staff/{")) return String(others.staff.user.id);
    if (path.startsWith("/api/companies/{")) return String(others.company.user.id);
    return undefined;
  };
}

/** The actors an operation is fuzzed as: anonymous, and its role unless excluded by name. */
export function actorsFor(operation: Operation, fixture: Fixture): (Session | null)[] {
  if (ANONYMOUS_ONLY[operation.name]) return [null];
  return [null, fixture.actors[operation.role]];
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Sends one hostile request and checks the promises of the error contract: no 5xx, every
 * error is JSON `{detail, code, request_id}`, and a failed unsafe request leaves the rows of
 * the fixture's users as they were.
 */
export async function sendAndCheck(
  database: DatabaseHandle,
  fixture: Fixture,
  actor: Session | null,
  request: HostileRequest,
) {
  const unsafe = UNSAFE.has(request.method);
  const before = unsafe ? await snapshotText(database.db, fixture.userIds) : null;
  const headers: Record<string, string> = actor ? { Authorization: `Bearer ${actor.access}` } : {};
  Object.assign(headers, request.headers);
  const response = await fuzzClient(request.method, request.path, { headers, body: request.body });
  const label = `${request.method} ${request.path.slice(0, 300)} as ${actor?.user.role ?? "anonymous"} with ${request.summary.slice(0, 300)} and headers ${JSON.stringify(request.headers).slice(0, 300)}`;

  const text = await response.text();
  expect(response.status, `${label}: ${text.slice(0, 500)}`).toBeLessThan(500);
  if (response.status < 400) return;

  expect(response.headers.get("Content-Type") ?? "", label).toMatch(/^application\/json/);
  const body = JSON.parse(text);
  expect(typeof body.detail, label).toBe("string");
  expect(typeof body.code, label).toBe("string");
  expect(typeof body.request_id, label).toBe("string");
  if (before) {
    const after = await snapshotText(database.db, fixture.userIds);
    expect(after, `partial write: ${label}`).toBe(before);
  }
}

/** Checks that the actors' sessions survived the fuzzing of `operation`. */
export async function expectActorsSignedIn(fixture: Fixture, operation: Operation) {
  for (const actor of Object.values(fixture.actors)) {
    const response = await fuzzClient("GET", "/api/me/", { token: actor.access });
    await response.arrayBuffer();
    expect(response.status, `${operation.name} ended the ${actor.user.role} session`).toBe(200);
  }
}

/**
 * Runs `check` on `numRuns` generated values. A failure message carries fast-check's seed and
 * path: add both to the options below to replay that failure.
 */
export async function fuzz<T>(
  arbitrary: fc.Arbitrary<T>,
  numRuns: number,
  check: (value: T) => Promise<void>,
) {
  await fc.assert(fc.asyncProperty(arbitrary, check), { numRuns, endOnFailure: true });
}
