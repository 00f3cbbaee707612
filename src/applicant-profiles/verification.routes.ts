import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { currentAuth, requireAuth, requireRoles } from "../auth/auth.middleware";
import { type AppContext, type AppEnv, serviceContext } from "../context";
import { hashClientIp } from "../lib/audit";
import { databaseId, urlId } from "../lib/ids";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonBody,
  jsonResponse,
  requireJson,
} from "../lib/openapi";
import { pageQueryFields, pageSchema, paginate } from "../lib/pagination";
import { multiLineText } from "../lib/text";
import {
  assertProfileExists,
  countProfileHistory,
  listProfileHistory,
} from "./profile-history.service";
import {
  type Decision,
  decideProfile,
  decideProfiles,
  MAX_BULK_PROFILES,
} from "./verification.service";

const TAG = "Applicant profile verification";
const MAX_NOTES_LENGTH = 2000;

const notes = multiLineText({ max: MAX_NOTES_LENGTH });
const requiredNotes = notes.min(1, "Catatan wajib diisi untuk menolak profil.");
const profileIds = z
  .array(databaseId)
  .min(1)
  .max(MAX_BULK_PROFILES, `Maksimal ${MAX_BULK_PROFILES} profil per permintaan.`);

const ApproveSchema = z.object({ notes: notes.optional() }).openapi("ApproveProfile");
const RejectSchema = z.object({ notes: requiredNotes }).openapi("RejectProfile");
const BulkApproveSchema = z
  .object({ profile_ids: profileIds, notes: notes.optional() })
  .openapi("BulkApproveProfiles");
const BulkRejectSchema = z
  .object({ profile_ids: profileIds, notes: requiredNotes })
  .openapi("BulkRejectProfiles");

const DecidedSchema = z.object({
  id: z.number().int(),
  full_name: z.string(),
  verification_status: z.enum(["ACCEPTED", "REJECTED"]),
});
const BulkResultSchema = z.object({
  updated: z.number().int(),
  skipped: z.array(z.object({ id: z.number().int(), code: z.string() })),
});
const HistoryEntrySchema = z
  .object({
    id: z.number().int(),
    action: z.string(),
    actor: z.number().int().nullable(),
    actor_name: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    created_at: z.string().nullable(),
  })
  .openapi("ProfileHistoryEntry");

const profileParams = z.object({ id: urlId.openapi({ description: "Profile id." }) });
const backOffice = [requireAuth, requireRoles("ADMIN", "STAFF")] as const;

/**
 * Requires JSON only when a body is sent. Approve's body is optional (`{notes?}`), so the
 * portal may POST it with no body at all, but a body in another format still gets 415.
 */
const jsonIfAnyBody = createMiddleware<AppEnv>(async (c, next) =>
  c.req.header("Content-Type") ? requireJson(c, next) : next(),
);

const commonErrors = {
  400: errorResponse("Invalid input, wrong status, or required documents not approved"),
  401: errorResponse("Not signed in, or the token is invalid"),
  403: errorResponse("Only admins and staff may review profiles"),
  404: errorResponse("No such profile, or the id is malformed"),
  415: errorResponse("The body is not JSON"),
};

const approveRoute = createRoute({
  method: "post",
  path: "/api/applicant-profiles/{id}/approve/",
  tags: [TAG],
  summary: "Accept a SUBMITTED profile",
  description: "Every required document type must be uploaded and APPROVED.",
  middleware: [...backOffice, jsonIfAnyBody] as const,
  request: {
    params: profileParams,
    body: { content: { "application/json": { schema: ApproveSchema } }, required: false },
  },
  responses: { 200: jsonResponse("Accepted", envelopeSchema(DecidedSchema)), ...commonErrors },
});

const rejectRoute = createRoute({
  method: "post",
  path: "/api/applicant-profiles/{id}/reject/",
  tags: [TAG],
  summary: "Reject a SUBMITTED profile with notes",
  middleware: [...backOffice, requireJson] as const,
  request: { params: profileParams, ...jsonBody(RejectSchema) },
  responses: { 200: jsonResponse("Rejected", envelopeSchema(DecidedSchema)), ...commonErrors },
});

const bulkRoute = (decision: Decision) =>
  createRoute({
    method: "post",
    path:
      decision === "ACCEPTED"
        ? "/api/applicant-profiles/bulk-approve/"
        : "/api/applicant-profiles/bulk-reject/",
    tags: [TAG],
    summary: decision === "ACCEPTED" ? "Accept many profiles" : "Reject many profiles",
    description:
      `At most ${MAX_BULK_PROFILES} ids. Each profile is decided on its own under the rules ` +
      "of the single endpoint; the ones that fail are listed in `skipped` with the error code.",
    middleware: [...backOffice, requireJson] as const,
    request: jsonBody(decision === "ACCEPTED" ? BulkApproveSchema : BulkRejectSchema),
    responses: { 200: jsonResponse("Result", envelopeSchema(BulkResultSchema)), ...commonErrors },
  });

const historyRoute = createRoute({
  method: "get",
  path: "/api/applicant-profiles/{id}/history/",
  tags: [TAG],
  summary: "The profile's audit events, newest first",
  middleware: [requireAuth, requireRoles("ADMIN", "STAFF")] as const,
  request: { params: profileParams, query: z.object(pageQueryFields) },
  responses: {
    200: jsonResponse("A page of events", pageSchema(HistoryEntrySchema)),
    ...commonErrors,
  },
});

async function reviewer(c: AppContext) {
  return { userId: currentAuth(c).userId, ipHash: await hashClientIp(c) };
}

const DETAILS: Record<Decision, [code: string, detail: string]> = {
  ACCEPTED: ["profile_approved", "Profil pelamar diterima."],
  REJECTED: ["profile_rejected", "Profil pelamar ditolak."],
};

async function decideOne(c: AppContext, profileId: number, decision: Decision, text = "") {
  const target = { profileId, decision, notes: text };
  const data = await decideProfile(serviceContext(c), await reviewer(c), target);
  const [code, detail] = DETAILS[decision];
  return { code, detail, data };
}

async function decideMany(c: AppContext, ids: number[], decision: Decision, text = "") {
  const request = { profileIds: ids, decision, notes: text };
  const data = await decideProfiles(serviceContext(c), await reviewer(c), request);
  return { code: "success", detail: `${data.updated} profil diperbarui.`, data };
}

export const verificationRoutes = createRouter()
  .openapi(bulkRoute("ACCEPTED"), async (c) => {
    const { profile_ids, notes } = c.req.valid("json");
    return c.json(await decideMany(c, profile_ids, "ACCEPTED", notes), 200);
  })
  .openapi(bulkRoute("REJECTED"), async (c) => {
    const { profile_ids, notes } = c.req.valid("json");
    return c.json(await decideMany(c, profile_ids, "REJECTED", notes), 200);
  })
  .openapi(approveRoute, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await decideOne(c, id, "ACCEPTED", c.req.valid("json").notes), 200);
  })
  .openapi(rejectRoute, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await decideOne(c, id, "REJECTED", c.req.valid("json").notes), 200);
  })
  .openapi(historyRoute, async (c) => {
    const { id } = c.req.valid("param");
    const services = serviceContext(c);
    await assertProfileExists(services, id);
    const page = await paginate(c, c.req.valid("query"), {
      count: () => countProfileHistory(services, id),
      rows: (limit, offset) => listProfileHistory(services, id, limit, offset),
    });
    return c.json(page, 200);
  });
