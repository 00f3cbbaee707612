-- Not CONCURRENTLY: drizzle-orm's migrator (0.45) applies all pending migrations in one
-- transaction, and Postgres rejects CREATE INDEX CONCURRENTLY inside a transaction block. This
-- CREATE INDEX blocks writes to applicant_documents for one scan of the table. Where that is
-- too long, run it by hand first with CONCURRENTLY, and IF NOT EXISTS makes this step a no-op.
CREATE INDEX IF NOT EXISTS "applicant_documents_unfinished_id_idx" ON "applicant_documents" USING btree ("id") WHERE "applicant_documents"."processing_status" in ('pending', 'processing');
