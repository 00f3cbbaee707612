import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { insertDocuments, requiredDocumentCodes } from "../../test/helpers/document-rows";
import { waitForEmails } from "../../test/helpers/emails";
import { api, readJson } from "../../test/helpers/http";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { applicantProfiles, auditEvents } from "../db/schema";

type Role = "APPLICANT" | "STAFF" | "ADMIN" | "COMPANY";

async function signedIn(role: Role, fullName?: string) {
  const created = await createTestUser({ role, fullName });
  const { access } = await loginAs(created.user.email, created.password);
  return { ...created, access };
}

/** An applicant whose profile is SUBMITTED, optionally with every required document approved. */
async function submittedApplicant(options: { documentsApproved?: boolean } = {}) {
  const applicant = await createTestUser({ fullName: "Sri Pelamar" });
  const profile = await withDatabase(async ({ db }) => {
    const [row] = await db
      .update(applicantProfiles)
      .set({ verificationStatus: "SUBMITTED", submittedAt: new Date() })
      .where(eq(applicantProfiles.userId, applicant.user.id))
      .returning();
    return row!;
  });
  if (options.documentsApproved) {
    const codes = await requiredDocumentCodes();
    await insertDocuments(profile.id, Object.fromEntries(codes.map((code) => [code, "APPROVED"])));
  }
  return { ...applicant, profileId: profile.id };
}

async function storedProfile(profileId: number) {
  return withDatabase(async ({ db }) => {
    const [row] = await db
      .select()
      .from(applicantProfiles)
      .where(eq(applicantProfiles.id, profileId));
    return row!;
  });
}

async function auditRows(profileId: number, action: string) {
  return withDatabase(({ db }) =>
    db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.applicantProfileId, profileId), eq(auditEvents.action, action))),
  );
}

const approve = (token: string, profileId: number | string, json: unknown = {}) =>
  api("POST", `/api/applicant-profiles/${profileId}/approve/`, { token, json });
const reject = (token: string, profileId: number | string, json: unknown) =>
  api("POST", `/api/applicant-profiles/${profileId}/reject/`, { token, json });

describe("POST /api/applicant-profiles/{id}/approve/", () => {
  it("POST /api/applicant-profiles/{id}/approve/ accepts a complete SUBMITTED profile, audits it and emails the applicant", async () => {
    const admin = await signedIn("ADMIN");
    const applicant = await submittedApplicant({ documentsApproved: true });
    const response = await approve(admin.access, applicant.profileId, { notes: "Lengkap" });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.code).toBe("profile_approved");
    expect(body.data).toEqual({
      id: applicant.profileId,
      full_name: "Sri Pelamar",
      verification_status: "ACCEPTED",
    });

    const stored = await storedProfile(applicant.profileId);
    expect(stored.verificationStatus).toBe("ACCEPTED");
    expect(stored.verifiedById).toBe(admin.user.id);
    expect(stored.verifiedAt).not.toBeNull();
    expect(stored.verificationNotes).toBe("Lengkap");

    const events = await auditRows(applicant.profileId, "profile_approved");
    expect(events).toHaveLength(1);
    expect(events[0]!.actorId).toBe(admin.user.id);
    expect(events[0]!.targetUserId).toBe(applicant.user.id);
    expect(events[0]!.details).toEqual({ from: "SUBMITTED", to: "ACCEPTED", bulk: false });

    const [email] = await waitForEmails(applicant.user.email);
    expect(email!.subject).toContain("diterima");
    expect(email!.text).toContain("Halo Sri Pelamar,");
    expect(email!.text).toContain("Catatan dari petugas: Lengkap");
  });

  it("POST /api/applicant-profiles/{id}/approve/ accepts a request without a body", async () => {
    const staff = await signedIn("STAFF");
    const applicant = await submittedApplicant({ documentsApproved: true });
    const response = await api("POST", `/api/applicant-profiles/${applicant.profileId}/approve/`, {
      token: staff.access,
    });
    expect(response.status).toBe(200);
    expect((await storedProfile(applicant.profileId)).verifiedById).toBe(staff.user.id);
  });

  it("POST /api/applicant-profiles/{id}/approve/ answers documents_incomplete naming missing and unapproved types", async () => {
    const admin = await signedIn("ADMIN");
    const applicant = await submittedApplicant();
    const required = await requiredDocumentCodes();
    const [pending, ...others] = required;
    const [missing] = others.splice(0, 1);
    await insertDocuments(applicant.profileId, {
      [pending!]: "PENDING",
      ...Object.fromEntries(others.map((code) => [code, "APPROVED"])),
    });
    const response = await approve(admin.access, applicant.profileId);
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe("documents_incomplete");
    expect(Object.keys(body.errors).sort()).toEqual([missing!, pending!].sort());

    const stored = await storedProfile(applicant.profileId);
    expect(stored.verificationStatus).toBe("SUBMITTED");
    expect(stored.verifiedAt).toBeNull();
    expect(await auditRows(applicant.profileId, "profile_approved")).toHaveLength(0);
  });

  it("POST /api/applicant-profiles/{id}/approve/ answers invalid_transition for DRAFT, ACCEPTED and REJECTED profiles", async () => {
    const admin = await signedIn("ADMIN");
    for (const status of ["DRAFT", "ACCEPTED", "REJECTED"] as const) {
      const applicant = await submittedApplicant({ documentsApproved: true });
      const verifiedAt = status === "DRAFT" ? null : new Date("2026-01-01T00:00:00Z");
      await withDatabase(({ db }) =>
        db
          .update(applicantProfiles)
          .set({ verificationStatus: status, verifiedAt })
          .where(eq(applicantProfiles.id, applicant.profileId)),
      );
      const response = await approve(admin.access, applicant.profileId);
      expect(response.status).toBe(400);
      expect((await readJson(response)).code).toBe("invalid_transition");
      expect((await storedProfile(applicant.profileId)).verificationStatus).toBe(status);
    }
  });

  it("POST /api/applicant-profiles/{id}/approve/ lets exactly one of two concurrent reviewers win", async () => {
    const first = await signedIn("ADMIN");
    const second = await signedIn("STAFF");
    const applicant = await submittedApplicant({ documentsApproved: true });
    const responses = await Promise.all([
      approve(first.access, applicant.profileId),
      approve(second.access, applicant.profileId),
    ]);
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 400]);
    const loser = responses.find((response) => response.status === 400)!;
    expect((await readJson(loser)).code).toBe("invalid_transition");
    expect(await auditRows(applicant.profileId, "profile_approved")).toHaveLength(1);
  });

  it("POST /api/applicant-profiles/{id}/approve/ answers 403 for applicants and companies and 401 without a token", async () => {
    const applicant = await submittedApplicant({ documentsApproved: true });
    for (const role of ["APPLICANT", "COMPANY"] as const) {
      const { access } = await signedIn(role);
      const response = await approve(access, applicant.profileId);
      expect(response.status).toBe(403);
      expect((await readJson(response)).code).toBe("permission_denied");
    }
    const owner = await loginAs(applicant.user.email, applicant.password);
    expect((await approve(owner.access, applicant.profileId)).status).toBe(403);
    const anonymous = await api("POST", `/api/applicant-profiles/${applicant.profileId}/approve/`);
    expect(anonymous.status).toBe(401);
    expect((await storedProfile(applicant.profileId)).verificationStatus).toBe("SUBMITTED");
  });

  it("POST /api/applicant-profiles/{id}/approve/ answers 404 for unknown and junk ids and 400 for junk bodies", async () => {
    const admin = await signedIn("ADMIN");
    expect((await approve(admin.access, 2_147_483_647)).status).toBe(404);
    for (const junk of ["abc", "0", "-3", "99999999999"]) {
      expect((await approve(admin.access, junk)).status).toBe(404);
    }
    const applicant = await submittedApplicant({ documentsApproved: true });
    const wrongType = await approve(admin.access, applicant.profileId, { notes: 12 });
    expect(wrongType.status).toBe(400);
    const tooLong = await approve(admin.access, applicant.profileId, { notes: "x".repeat(2001) });
    expect(tooLong.status).toBe(400);
    const form = await api("POST", `/api/applicant-profiles/${applicant.profileId}/approve/`, {
      token: admin.access,
      body: "notes=x",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    expect((await storedProfile(applicant.profileId)).verificationStatus).toBe("SUBMITTED");
  });
});

describe("POST /api/applicant-profiles/{id}/reject/", () => {
  it("POST /api/applicant-profiles/{id}/reject/ rejects with notes, audits it and emails the notes", async () => {
    const staff = await signedIn("STAFF");
    const applicant = await submittedApplicant();
    const response = await reject(staff.access, applicant.profileId, {
      notes: "Foto KTP buram, unggah ulang.",
    });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.code).toBe("profile_rejected");
    expect(body.data.verification_status).toBe("REJECTED");

    const stored = await storedProfile(applicant.profileId);
    expect(stored.verificationStatus).toBe("REJECTED");
    expect(stored.verifiedById).toBe(staff.user.id);
    expect(stored.verificationNotes).toBe("Foto KTP buram, unggah ulang.");
    expect(await auditRows(applicant.profileId, "profile_rejected")).toHaveLength(1);

    const [email] = await waitForEmails(applicant.user.email);
    expect(email!.subject).toContain("perlu diperbaiki");
    expect(email!.text).toContain("Foto KTP buram, unggah ulang.");
  });

  it("POST /api/applicant-profiles/{id}/reject/ requires notes", async () => {
    const admin = await signedIn("ADMIN");
    const applicant = await submittedApplicant();
    for (const json of [{}, { notes: "" }, { notes: "   " }, { notes: null }]) {
      const response = await reject(admin.access, applicant.profileId, json);
      expect(response.status).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("validation_error");
      expect(body.errors.notes).toBeDefined();
    }
    expect((await storedProfile(applicant.profileId)).verificationStatus).toBe("SUBMITTED");
    expect(await auditRows(applicant.profileId, "profile_rejected")).toHaveLength(0);
  });

  it("POST /api/applicant-profiles/{id}/reject/ answers invalid_transition for a DRAFT profile", async () => {
    const admin = await signedIn("ADMIN");
    const applicant = await signedIn("APPLICANT");
    const profile = await withDatabase(async ({ db }) => {
      const [row] = await db
        .select()
        .from(applicantProfiles)
        .where(eq(applicantProfiles.userId, applicant.user.id));
      return row!;
    });
    const response = await reject(admin.access, profile.id, { notes: "Tidak lengkap" });
    expect(response.status).toBe(400);
    expect((await readJson(response)).code).toBe("invalid_transition");
  });
});

describe("POST /api/applicant-profiles/bulk-approve/ and bulk-reject/", () => {
  it("POST /api/applicant-profiles/bulk-approve/ accepts the ready profiles and lists the skipped ones", async () => {
    const admin = await signedIn("ADMIN");
    const ready = await submittedApplicant({ documentsApproved: true });
    const incomplete = await submittedApplicant();
    const draft = await signedIn("APPLICANT");
    const draftProfile = await withDatabase(async ({ db }) => {
      const [row] = await db
        .select({ id: applicantProfiles.id })
        .from(applicantProfiles)
        .where(eq(applicantProfiles.userId, draft.user.id));
      return row!.id;
    });
    const response = await api("POST", "/api/applicant-profiles/bulk-approve/", {
      token: admin.access,
      json: {
        profile_ids: [ready.profileId, incomplete.profileId, draftProfile, 2_147_483_647],
        notes: "",
      },
    });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.data.updated).toBe(1);
    expect(body.data.skipped).toEqual([
      { id: incomplete.profileId, code: "documents_incomplete" },
      { id: draftProfile, code: "invalid_transition" },
      { id: 2_147_483_647, code: "not_found" },
    ]);
    expect((await storedProfile(ready.profileId)).verificationStatus).toBe("ACCEPTED");
    expect((await storedProfile(incomplete.profileId)).verificationStatus).toBe("SUBMITTED");
    const [event] = await auditRows(ready.profileId, "profile_approved");
    expect(event!.details).toEqual({ from: "SUBMITTED", to: "ACCEPTED", bulk: true });
    await waitForEmails(ready.user.email);
  });

  it("POST /api/applicant-profiles/bulk-reject/ rejects each SUBMITTED profile once", async () => {
    const staff = await signedIn("STAFF");
    const first = await submittedApplicant();
    const second = await submittedApplicant();
    const response = await api("POST", "/api/applicant-profiles/bulk-reject/", {
      token: staff.access,
      json: { profile_ids: [first.profileId, second.profileId, first.profileId], notes: "Kurang" },
    });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.data).toEqual({ updated: 2, skipped: [] });
    expect((await storedProfile(second.profileId)).verificationNotes).toBe("Kurang");
    expect(await auditRows(first.profileId, "profile_rejected")).toHaveLength(1);
  });

  it("POST /api/applicant-profiles/bulk-reject/ and bulk-approve/ reject bad bodies and change nothing", async () => {
    const admin = await signedIn("ADMIN");
    const applicant = await submittedApplicant({ documentsApproved: true });
    const tooMany = Array.from({ length: 101 }, (_, index) => index + 1);
    const cases: [string, unknown][] = [
      ["bulk-reject", { profile_ids: [applicant.profileId] }],
      ["bulk-reject", { profile_ids: [applicant.profileId], notes: " " }],
      ["bulk-approve", { profile_ids: [] }],
      ["bulk-approve", { profile_ids: tooMany }],
      ["bulk-approve", { profile_ids: ["abc"] }],
      ["bulk-approve", { profile_ids: [0] }],
      ["bulk-approve", { profile_ids: applicant.profileId }],
      ["bulk-approve", {}],
    ];
    for (const [action, json] of cases) {
      const response = await api("POST", `/api/applicant-profiles/${action}/`, {
        token: admin.access,
        json,
      });
      expect(response.status, `${action} ${JSON.stringify(json).slice(0, 60)}`).toBe(400);
      expect((await readJson(response)).code).toBe("validation_error");
    }
    expect((await storedProfile(applicant.profileId)).verificationStatus).toBe("SUBMITTED");
  });

  it("POST /api/applicant-profiles/bulk-approve/ answers 403 for applicants and companies", async () => {
    const applicant = await submittedApplicant({ documentsApproved: true });
    for (const role of ["APPLICANT", "COMPANY"] as const) {
      const { access } = await signedIn(role);
      const response = await api("POST", "/api/applicant-profiles/bulk-approve/", {
        token: access,
        json: { profile_ids: [applicant.profileId] },
      });
      expect(response.status).toBe(403);
    }
    expect((await storedProfile(applicant.profileId)).verificationStatus).toBe("SUBMITTED");
  });
});

describe("GET /api/applicant-profiles/{id}/history/", () => {
  it("GET /api/applicant-profiles/{id}/history/ lists the profile's events newest first with the actor", async () => {
    const reviewer = await signedIn("STAFF", "Petugas Uji");
    const applicant = await signedIn("APPLICANT", "Tari");
    const profileId = await withDatabase(async ({ db }) => {
      const [row] = await db
        .update(applicantProfiles)
        .set({ nik: "3201015507950001", address: "Jl. C", contactPhone: "0812222333" })
        .where(eq(applicantProfiles.userId, applicant.user.id))
        .returning();
      return row!.id;
    });
    const submitted = await api("POST", "/api/applicants/me/profile/submit_for_verification/", {
      token: applicant.access,
    });
    expect(submitted.status).toBe(200);
    expect((await reject(reviewer.access, profileId, { notes: "Ulangi" })).status).toBe(200);

    const response = await api("GET", `/api/applicant-profiles/${profileId}/history/`, {
      token: reviewer.access,
    });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.count).toBe(2);
    expect(body.results.map((entry: { action: string }) => entry.action)).toEqual([
      "profile_rejected",
      "profile_submitted",
    ]);
    expect(body.results[0].actor).toBe(reviewer.user.id);
    expect(body.results[0].actor_name).toBe("Petugas Uji");
    expect(body.results[0].details).toEqual({ from: "SUBMITTED", to: "REJECTED", bulk: false });
    expect(body.results[0].created_at).toMatch(/\+07:00$/);
    expect(body.results[1].actor_name).toBe("Tari");

    const paged = await readJson(
      await api("GET", `/api/applicant-profiles/${profileId}/history/?page_size=1&page=2`, {
        token: reviewer.access,
      }),
    );
    expect(paged.results[0].action).toBe("profile_submitted");
    expect(paged.next).toBeNull();
  });

  it("GET /api/applicant-profiles/{id}/history/ answers 404 for an unknown profile and 403 for an applicant", async () => {
    const admin = await signedIn("ADMIN");
    const unknown = await api("GET", "/api/applicant-profiles/2147483647/history/", {
      token: admin.access,
    });
    expect(unknown.status).toBe(404);
    const applicant = await submittedApplicant();
    const own = await loginAs(applicant.user.email, applicant.password);
    const denied = await api("GET", `/api/applicant-profiles/${applicant.profileId}/history/`, {
      token: own.access,
    });
    expect(denied.status).toBe(403);
  });
});

describe("GET /api/schema/ for verification and self-service", () => {
  it("GET /api/schema/ documents the new paths", async () => {
    const schema = await readJson(await api("GET", "/api/schema/"));
    for (const path of [
      "/api/applicant-profiles/{id}/approve/",
      "/api/applicant-profiles/bulk-reject/",
      "/api/applicant-profiles/{id}/history/",
      "/api/applicants/me/profile/submit_for_verification/",
      "/api/applicants/me/work_experiences/{id}/",
      "/api/applicants/{user_id}/work_experiences/",
    ]) {
      expect(Object.keys(schema.paths)).toContain(path);
    }
  });

  it("POST /api/applicant-profiles/{id}/reject/ answers 400 for a NUL in notes and changes nothing", async () => {
    const admin = await signedIn("ADMIN");
    const applicant = await submittedApplicant();
    const response = await reject(admin.access, applicant.profileId, { notes: "Foto\u0000buram" });
    expect(response.status).toBe(400);
    expect(Object.keys((await readJson(response)).errors)).toEqual(["notes"]);
    expect((await storedProfile(applicant.profileId)).verificationStatus).toBe("SUBMITTED");
    expect(await auditRows(applicant.profileId, "profile_rejected")).toHaveLength(0);
  });
});
