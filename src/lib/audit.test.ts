import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { signedIn, strongPassword } from "../../test/helpers/accounts";
import { withDatabase } from "../../test/helpers/database";
import { insertDocuments, requiredDocumentCodes } from "../../test/helpers/document-rows";
import { api, randomIpAddress, readJson, uniqueEmail } from "../../test/helpers/http";
import { createTestUser, loginAs, type TestUserOverrides } from "../../test/helpers/users";
import { encodeUid, issueOneTimeToken } from "../auth/one-time-tokens.service";
import { applicantDocuments, applicantProfiles, auditEvents } from "../db/schema";
import type { AuditAction } from "./audit";

/** What one case did: whose event to look for and which personal values must not be in it. */
interface Performed {
  targetUserId: number;
  personalValues: string[];
  details?: Record<string, unknown>;
}

interface Subject {
  id: number;
  email: string;
  fullName: string;
  password: string;
  /** The client address every request of the case comes from. */
  ip: string;
}

async function subject(overrides: TestUserOverrides = {}): Promise<Subject> {
  const fullName = `Audit Subjek ${crypto.randomUUID().slice(0, 8)}`;
  const { user, password } = await createTestUser({ fullName, ...overrides });
  return { id: user.id, email: user.email, fullName, password, ip: randomIpAddress() };
}

function personal(user: Subject, ...more: string[]): string[] {
  return [user.email, user.fullName, user.password, user.ip, ...more];
}

async function send(
  user: Subject,
  method: string,
  path: string,
  options: { token?: string; json?: unknown } = {},
) {
  const response = await api(method, path, {
    ...options,
    headers: { "CF-Connecting-IP": user.ip },
  });
  return { status: response.status, body: await readJson(response) };
}

async function submittedProfile(user: Subject) {
  const [profile] = await withDatabase(({ db }) =>
    db
      .update(applicantProfiles)
      .set({ verificationStatus: "SUBMITTED", submittedAt: new Date() })
      .where(eq(applicantProfiles.userId, user.id))
      .returning({ id: applicantProfiles.id }),
  );
  const codes = await requiredDocumentCodes();
  await insertDocuments(profile!.id, Object.fromEntries(codes.map((code) => [code, "APPROVED"])));
  return profile!.id;
}

async function firstDocumentId(profileId: number) {
  const [row] = await withDatabase(({ db }) =>
    db
      .select({ id: applicantDocuments.id })
      .from(applicantDocuments)
      .where(eq(applicantDocuments.applicantProfileId, profileId))
      .limit(1),
  );
  return row!.id;
}

const CASES: [AuditAction, string, () => Promise<Performed>][] = [
  [
    "login",
    "POST /api/auth/token/ with the right password",
    async () => {
      const user = await subject();
      const { status } = await send(user, "POST", "/api/auth/token/", {
        json: { email: user.email, password: user.password },
      });
      expect(status).toBe(200);
      return { targetUserId: user.id, personalValues: personal(user) };
    },
  ],
  [
    "login_failed",
    "POST /api/auth/token/ with a wrong password",
    async () => {
      const user = await subject();
      const wrong = `${user.password}-wrong`;
      const { status } = await send(user, "POST", "/api/auth/token/", {
        json: { email: user.email, password: wrong },
      });
      expect(status).toBe(401);
      return { targetUserId: user.id, personalValues: personal(user, wrong) };
    },
  ],
  [
    "password_changed",
    "POST /api/auth/change-password/",
    async () => {
      const user = await subject();
      const { access } = await loginAs(user.email, user.password);
      const next = strongPassword();
      const { status } = await send(user, "POST", "/api/auth/change-password/", {
        token: access,
        json: { old_password: user.password, new_password: next },
      });
      expect(status).toBe(200);
      return { targetUserId: user.id, personalValues: personal(user, next, access) };
    },
  ],
  [
    "password_reset_requested",
    "POST /api/auth/request-password-reset/",
    async () => {
      const user = await subject();
      const { status } = await send(user, "POST", "/api/auth/request-password-reset/", {
        json: { email: user.email },
      });
      expect(status).toBe(200);
      return { targetUserId: user.id, personalValues: personal(user) };
    },
  ],
  [
    "password_reset",
    "POST /api/auth/confirm-reset-password/",
    async () => {
      const user = await subject();
      const issued = await withDatabase(({ db }) =>
        issueOneTimeToken(db, user, "password_reset", 3600),
      );
      const next = strongPassword();
      const { status } = await send(user, "POST", "/api/auth/confirm-reset-password/", {
        json: { uid: encodeUid(user.id), token: issued.token, new_password: next },
      });
      expect(status).toBe(200);
      return { targetUserId: user.id, personalValues: personal(user, next, issued.token) };
    },
  ],
  [
    "email_changed",
    "PATCH /api/me/ with a new email",
    async () => {
      const user = await subject();
      const { access } = await loginAs(user.email, user.password);
      const email = uniqueEmail("audit-new");
      const { status } = await send(user, "PATCH", "/api/me/", {
        token: access,
        json: { email, current_password: user.password },
      });
      expect(status).toBe(200);
      return { targetUserId: user.id, personalValues: personal(user, email, access) };
    },
  ],
  [
    "email_verified",
    "GET /api/auth/verify-email/",
    async () => {
      const user = await subject();
      const issued = await withDatabase(({ db }) =>
        issueOneTimeToken(db, user, "email_verification", 86_400),
      );
      const path = `/api/auth/verify-email/?token=${encodeURIComponent(issued.token)}`;
      const { status } = await send(user, "GET", path);
      expect(status).toBe(200);
      return { targetUserId: user.id, personalValues: personal(user, issued.token) };
    },
  ],
  [
    "role_changed",
    "PATCH /api/staff/{id}/ with role ADMIN",
    async () => {
      const user = await subject({ role: "STAFF" });
      const admin = await signedIn("ADMIN");
      const { status } = await send(user, "PATCH", `/api/staff/${user.id}/`, {
        token: admin.access,
        json: { role: "ADMIN" },
      });
      expect(status).toBe(200);
      return {
        targetUserId: user.id,
        personalValues: personal(user, admin.user.email, admin.access),
        details: { from: "STAFF", to: "ADMIN" },
      };
    },
  ],
  [
    "user_deactivated",
    "POST /api/staff/{id}/deactivate/",
    async () => {
      const user = await subject({ role: "STAFF" });
      const admin = await signedIn("ADMIN");
      const { status } = await send(user, "POST", `/api/staff/${user.id}/deactivate/`, {
        token: admin.access,
      });
      expect(status).toBe(200);
      return { targetUserId: user.id, personalValues: personal(user, admin.user.email) };
    },
  ],
  [
    "user_activated",
    "POST /api/applicants/{id}/activate/",
    async () => {
      const user = await subject({ isActive: false });
      const admin = await signedIn("ADMIN");
      const { status } = await send(user, "POST", `/api/applicants/${user.id}/activate/`, {
        token: admin.access,
      });
      expect(status).toBe(200);
      return { targetUserId: user.id, personalValues: personal(user, admin.user.email) };
    },
  ],
  [
    "profile_approved",
    "POST /api/applicant-profiles/{id}/approve/",
    async () => {
      const user = await subject();
      const profileId = await submittedProfile(user);
      const staff = await signedIn("STAFF");
      const { status } = await send(user, "POST", `/api/applicant-profiles/${profileId}/approve/`, {
        token: staff.access,
        json: {},
      });
      expect(status).toBe(200);
      return {
        targetUserId: user.id,
        personalValues: personal(user, staff.user.email),
        details: { to: "ACCEPTED", bulk: false },
      };
    },
  ],
  [
    "profile_rejected",
    "POST /api/applicant-profiles/{id}/reject/",
    async () => {
      const user = await subject();
      const profileId = await submittedProfile(user);
      const staff = await signedIn("STAFF");
      const { status } = await send(user, "POST", `/api/applicant-profiles/${profileId}/reject/`, {
        token: staff.access,
        json: { notes: "Foto KTP buram." },
      });
      expect(status).toBe(200);
      return {
        targetUserId: user.id,
        personalValues: personal(user, staff.user.email),
        details: { to: "REJECTED", bulk: false },
      };
    },
  ],
  [
    "profile_approved",
    "POST /api/applicant-profiles/bulk-approve/",
    async () => {
      const user = await subject();
      const profileId = await submittedProfile(user);
      const staff = await signedIn("STAFF");
      const { status } = await send(user, "POST", "/api/applicant-profiles/bulk-approve/", {
        token: staff.access,
        json: { profile_ids: [profileId] },
      });
      expect(status).toBe(200);
      return {
        targetUserId: user.id,
        personalValues: personal(user, staff.user.email),
        details: { to: "ACCEPTED", bulk: true },
      };
    },
  ],
  [
    "profile_rejected",
    "POST /api/applicant-profiles/bulk-reject/",
    async () => {
      const user = await subject();
      const profileId = await submittedProfile(user);
      const staff = await signedIn("STAFF");
      const { status } = await send(user, "POST", "/api/applicant-profiles/bulk-reject/", {
        token: staff.access,
        json: { profile_ids: [profileId], notes: "Dokumen tidak lengkap." },
      });
      expect(status).toBe(200);
      return {
        targetUserId: user.id,
        personalValues: personal(user, staff.user.email),
        details: { to: "REJECTED", bulk: true },
      };
    },
  ],
  [
    "document_reviewed",
    "PATCH /api/applicants/{user_id}/documents/{id}/",
    async () => {
      const user = await subject();
      const profileId = await submittedProfile(user);
      const documentId = await firstDocumentId(profileId);
      const staff = await signedIn("STAFF");
      const path = `/api/applicants/${user.id}/documents/${documentId}/`;
      const { status } = await send(user, "PATCH", path, {
        token: staff.access,
        json: { review_status: "REJECTED", review_notes: "Tidak terbaca." },
      });
      expect(status).toBe(200);
      return {
        targetUserId: user.id,
        personalValues: personal(user, staff.user.email),
        details: { document_id: documentId, review_status: "REJECTED" },
      };
    },
  ],
];

/**
 * Loads the events of `action` about the user, waiting up to two seconds for the first one: a
 * password reset request is recorded after the response, so its timing reveals nothing.
 */
async function eventsOf(action: AuditAction, targetUserId: number) {
  const load = () =>
    withDatabase(({ db }) =>
      db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, action), eq(auditEvents.targetUserId, targetUserId))),
    );
  for (let attempt = 0; attempt < 40; attempt++) {
    const events = await load();
    if (events.length > 0) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return load();
}

describe("audit events", () => {
  it.each(CASES)("records %s for %s without personal data", async (action, _title, perform) => {
    const performed = await perform();

    const events = await eventsOf(action, performed.targetUserId);
    expect(events).toHaveLength(1);
    const event = events[0]!;
    if (performed.details) expect(event.details).toMatchObject(performed.details);
    // The client address is stored only as a keyed hash.
    if (event.ipHash !== null) expect(event.ipHash).toMatch(/^[0-9a-f]{64}$/);
    const stored = JSON.stringify(event).toLowerCase();
    for (const value of performed.personalValues) {
      expect(stored).not.toContain(value.toLowerCase());
    }
  });
});
