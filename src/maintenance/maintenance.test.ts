import { createScheduledController } from "cloudflare:test";
import { eq, inArray, type SQL, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { bindings, loadDocumentRow, storedDocument } from "../../test/helpers/documents-queue";
import { pdfDocument } from "../../test/helpers/images";
import { consumeQueue } from "../../test/helpers/queues";
import { createTestUser } from "../../test/helpers/users";
import { applicantDocuments, oneTimeTokens, refreshTokens, sessions } from "../db/schema";
import type { Bindings } from "../env";
import worker from "../index";
import { stuckDocumentsQuery } from "./document-requeue.service";

// Each test runs the cron at a scheduled time decades in the past and dates its own rows just
// before or after it, so the run never touches rows of tests running in parallel.

const CRON = "0 19 * * *";

/** Runs the Worker's scheduled handler with a queue that records what it is sent. */
async function runCron(scheduledTime: Date, overrides: Record<string, unknown> = {}) {
  const sent: unknown[] = [];
  const queue = {
    send: async (body: unknown) => void sent.push(body),
    sendBatch: async (messages: { body: unknown }[]) => {
      for (const message of messages) sent.push(message.body);
    },
  };
  const controller = createScheduledController({
    cron: CRON,
    scheduledTime: scheduledTime.getTime(),
  });
  const env = { ...bindings, DOCUMENTS_QUEUE: queue, ...overrides } as unknown as Bindings;
  await worker.scheduled(controller, env);
  return sent;
}

/** The messages about `ids`, leaving out stuck documents from earlier runs on the database. */
function messagesFor(sent: unknown[], ids: number[]) {
  return sent.filter((body) => ids.includes((body as { document_id: number }).document_id));
}

async function insertSession(userId: number, expiresAt: Date, refreshTokenCount: number) {
  return withDatabase(async ({ db }) => {
    const [session] = await db
      .insert(sessions)
      .values({ userId, expiresAt, absoluteExpiresAt: expiresAt })
      .returning({ id: sessions.id });
    const hashes = Array.from({ length: refreshTokenCount }, () =>
      crypto.randomUUID().replace(/-/g, "").padEnd(64, "0"),
    );
    if (hashes.length > 0) {
      await db
        .insert(refreshTokens)
        .values(hashes.map((tokenHash) => ({ tokenHash, sessionId: session!.id })));
    }
    return { id: session!.id, hashes };
  });
}

async function insertOneTimeToken(userId: number, expiresAt: Date) {
  const [row] = await withDatabase(({ db }) =>
    db
      .insert(oneTimeTokens)
      .values({
        userId,
        purpose: "password_reset",
        tokenHash: crypto.randomUUID().replace(/-/g, "").padEnd(64, "1"),
        email: "cleanup@kms.test",
        expiresAt,
      })
      .returning({ id: oneTimeTokens.id }),
  );
  return row!.id;
}

async function existingSessionIds(ids: number[]) {
  const rows = await withDatabase(({ db }) =>
    db.select({ id: sessions.id }).from(sessions).where(inArray(sessions.id, ids)),
  );
  return rows.map((row) => row.id).sort((a, b) => a - b);
}

async function existingTokenHashes(hashes: string[]) {
  const rows = await withDatabase(({ db }) =>
    db
      .select({ hash: refreshTokens.tokenHash })
      .from(refreshTokens)
      .where(inArray(refreshTokens.tokenHash, hashes)),
  );
  return rows.map((row) => row.hash).sort();
}

async function existingOneTimeTokenIds(ids: number[]) {
  const rows = await withDatabase(({ db }) =>
    db.select({ id: oneTimeTokens.id }).from(oneTimeTokens).where(inArray(oneTimeTokens.id, ids)),
  );
  return rows.map((row) => row.id).sort((a, b) => a - b);
}

async function setDocumentState(
  id: number,
  state: { status: "pending" | "processing" | "done"; updatedAt: Date; fileVersion?: number },
) {
  await withDatabase(({ db }) =>
    db
      .update(applicantDocuments)
      .set({
        processingStatus: state.status,
        updatedAt: state.updatedAt,
        fileVersion: state.fileVersion ?? 1,
      })
      .where(eq(applicantDocuments.id, id)),
  );
}

describe("scheduled daily clean-up", () => {
  it("deletes expired sessions, refresh tokens and one-time tokens and keeps live ones", async () => {
    const now = new Date("2002-01-01T19:00:00Z");
    const before = new Date("2001-12-31T19:00:00Z");
    const after = new Date("2002-01-02T19:00:00Z");
    const { user } = await createTestUser();
    const expired = await insertSession(user.id, before, 3);
    const live = await insertSession(user.id, after, 2);
    const expiredLink = await insertOneTimeToken(user.id, before);
    const liveLink = await insertOneTimeToken(user.id, after);

    await runCron(now);

    expect(await existingSessionIds([expired.id, live.id])).toEqual([live.id]);
    expect(await existingTokenHashes([...expired.hashes, ...live.hashes])).toEqual(
      [...live.hashes].sort(),
    );
    expect(await existingOneTimeTokenIds([expiredLink, liveLink])).toEqual([liveLink]);
  });

  it("deletes in batches and leaves the rest for the next run after MAINTENANCE_MAX_BATCHES", async () => {
    const now = new Date("1992-01-01T19:00:00Z");
    const before = new Date("1991-06-01T00:00:00Z");
    const limits = { MAINTENANCE_BATCH_SIZE: "2", MAINTENANCE_MAX_BATCHES: "2" };
    const { user } = await createTestUser();
    const withTokens = await insertSession(user.id, before, 5);
    const bare = [];
    for (let index = 0; index < 5; index++) bare.push(await insertSession(user.id, before, 0));
    const allIds = [withTokens.id, ...bare.map((session) => session.id)];
    const warn = vi.spyOn(console, "warn");

    await runCron(now, limits);

    // Two batches of two tokens leave one; the session that still has it is not deleted.
    expect(await existingTokenHashes(withTokens.hashes)).toHaveLength(1);
    const remaining = await existingSessionIds(allIds);
    expect(remaining).toHaveLength(2);
    expect(remaining).toContain(withTokens.id);
    const warnings = warn.mock.calls.map((call) => JSON.parse(String(call[0])));
    expect(warnings).toContainEqual(
      expect.objectContaining({ message: "expired rows deleted", table: "sessions", more: true }),
    );
    warn.mockRestore();

    await runCron(now, limits);

    expect(await existingTokenHashes(withTokens.hashes)).toEqual([]);
    expect(await existingSessionIds(allIds)).toEqual([]);
  });

  it("re-queues documents stuck pending or processing with their current file version", async () => {
    const now = new Date("2012-01-01T19:00:00Z");
    const minutesBefore = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    const lost = await storedDocument("ijasah", pdfDocument(), "application/pdf");
    const crashed = await storedDocument("ijasah", pdfDocument(), "application/pdf");
    const working = await storedDocument("ijasah", pdfDocument(), "application/pdf");
    const retrying = await storedDocument("ijasah", pdfDocument(), "application/pdf");
    const finished = await storedDocument("ijasah", pdfDocument(), "application/pdf");
    // Pending after 7200 s and processing after 300 s count as stuck (the defaults).
    await setDocumentState(lost.id, { status: "pending", updatedAt: minutesBefore(600) });
    await setDocumentState(crashed.id, {
      status: "processing",
      updatedAt: minutesBefore(10),
      fileVersion: 3,
    });
    await setDocumentState(working.id, { status: "processing", updatedAt: minutesBefore(2) });
    await setDocumentState(retrying.id, { status: "pending", updatedAt: minutesBefore(60) });
    await setDocumentState(finished.id, { status: "done", updatedAt: minutesBefore(6000) });

    const ids = [lost.id, crashed.id, working.id, retrying.id, finished.id];
    const sent = messagesFor(await runCron(now), ids);

    expect(sent).toHaveLength(2);
    expect(sent).toContainEqual({ document_id: lost.id, file_version: 1 });
    expect(sent).toContainEqual({ document_id: crashed.id, file_version: 3 });
  });

  it("re-queues a message the documents consumer processes once, however often it arrives", async () => {
    const now = new Date("2008-01-01T19:00:00Z");
    const lost = await storedDocument("ijasah", pdfDocument(), "application/pdf");
    await setDocumentState(lost.id, { status: "pending", updatedAt: new Date("2007-12-01") });

    const sent = messagesFor(await runCron(now), [lost.id]);
    expect(sent).toEqual([{ document_id: lost.id, file_version: 1 }]);

    const first = await consumeQueue("kms-documents", [{ body: sent[0] }]);
    expect(first.result.explicitAcks).toHaveLength(1);
    const processed = await loadDocumentRow(lost.id);
    expect(processed.processingStatus).toBe("done");

    const second = await consumeQueue("kms-documents", [{ body: sent[0] }]);
    expect(second.result.explicitAcks).toHaveLength(1);
    const again = await loadDocumentRow(lost.id);
    expect(again.updatedAt).toEqual(processed.updatedAt);
  });
});

/** Joins the rows of an `explain` into the plan's text. */
function planText(rows: unknown): string {
  return (rows as Record<string, string>[]).map((row) => row["QUERY PLAN"]).join("\n");
}

/** Runs `explain` with sequential scans turned off and returns the plan as text. */
async function queryPlan(explain: SQL): Promise<string> {
  const rows = await withDatabase(({ db }) =>
    db.transaction(async (tx) => {
      // SET LOCAL ends with the transaction, so the one backend of the embedded server, which
      // every test shares, keeps its settings. Without it, a table this small is read in full.
      await tx.execute(sql`set local enable_seqscan = off`);
      return tx.execute(explain);
    }),
  );
  return planText(rows);
}

/**
 * Prepares `text` and explains its generic plan, the one built without parameter values, with
 * sequential scans turned off. `explain (generic_plan)` would do this directly but needs
 * PostgreSQL 16, and CI also runs PostgreSQL 15. Every step runs in one transaction, so on one
 * connection.
 */
async function genericQueryPlan(text: string, params: unknown[]): Promise<string> {
  const name = `sweep_plan_${crypto.randomUUID().replaceAll("-", "")}`;
  const literals = params.map((value) => {
    if (typeof value === "number") return String(value);
    const textValue = value instanceof Date ? value.toISOString() : String(value);
    return `'${textValue.replaceAll("'", "''")}'`;
  });
  const rows = await withDatabase(({ db }) =>
    db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
      await tx.execute(sql.raw(`prepare ${name} as ${text}`));
      const plan = await tx.execute(sql.raw(`explain execute ${name}(${literals.join(", ")})`));
      await tx.execute(sql.raw(`deallocate ${name}`));
      return plan;
    }),
  );
  return planText(rows);
}

describe("stuck-document sweep query", () => {
  const rules = {
    pendingBefore: new Date("2020-01-01T00:00:00Z"),
    processingBefore: new Date("2020-01-01T01:00:00Z"),
  };

  it("reads applicant_documents through the partial index of unfinished rows", async () => {
    const plan = await withDatabase(({ db }) =>
      queryPlan(sql`explain ${stuckDocumentsQuery(db, rules, 0, 100)}`),
    );

    expect(plan).toContain("applicant_documents_unfinished_id_idx");
  });

  it("uses the partial index in a generic plan, whatever the parameters", async () => {
    const query = await withDatabase(async ({ db }) =>
      stuckDocumentsQuery(db, rules, 0, 100).toSQL(),
    );

    const plan = await genericQueryPlan(query.sql, query.params);

    expect(plan).toContain("applicant_documents_unfinished_id_idx");
  });
});
