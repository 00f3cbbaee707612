import { type DatabaseHandle, openDatabase } from "../db/client";
import { type Bindings, type Config, loadConfig } from "../env";
import { createLogger, describeError, type Logger } from "../lib/logger";
import { requeueStuckDocuments } from "./document-requeue.service";
import { deleteExpiredRows } from "./expired-rows.service";

interface MaintenanceRun {
  database: DatabaseHandle;
  config: Config;
  env: Bindings;
  logger: Logger;
  /** The cron's scheduled time, not the clock: a delayed or repeated run deletes the same rows. */
  now: Date;
}

/**
 * Runs the daily Cron Trigger: deletes expired sessions, refresh tokens and one-time tokens,
 * then re-queues documents stuck `pending` or `processing`. One task failing does not stop the
 * other; the first error is raised after both ran, so the invocation shows as failed.
 */
export async function runMaintenance(controller: ScheduledController, env: Bindings) {
  const logger = createLogger({ cron: controller.cron });
  const config = loadConfig(env);
  const database = openDatabase(config);
  const run = { database, config, env, logger, now: new Date(controller.scheduledTime) };
  const started = Date.now();
  const errors: unknown[] = [];
  try {
    for (const [name, task] of TASKS) {
      await task(run).catch((error: unknown) => {
        errors.push(error);
        logger.error("maintenance task failed", { task: name, ...describeError(error) });
      });
    }
  } finally {
    await database.close();
  }

  logger.info("maintenance finished", { duration_ms: Date.now() - started, failed: errors.length });
  if (errors.length > 0) throw errors[0];
}

function batchLimits(config: Config) {
  return { batchSize: config.MAINTENANCE_BATCH_SIZE, maxBatches: config.MAINTENANCE_MAX_BATCHES };
}

async function deleteExpired(run: MaintenanceRun) {
  const results = await deleteExpiredRows(run.database.db, run.now, batchLimits(run.config));
  for (const result of results) {
    // More rows than one run may delete is worth a look, but the next run continues.
    const level = result.more ? "warn" : "info";
    run.logger[level]("expired rows deleted", { ...result });
  }
}

async function requeueDocuments(run: MaintenanceRun) {
  const secondsBefore = (seconds: number) => new Date(run.now.getTime() - seconds * 1000);
  const rules = {
    pendingBefore: secondsBefore(run.config.DOCUMENTS_REQUEUE_PENDING_AFTER_SECONDS),
    processingBefore: secondsBefore(run.config.DOCUMENTS_PROCESSING_TIMEOUT_SECONDS),
  };
  const limits = batchLimits(run.config);
  const result = await requeueStuckDocuments(
    run.database.db,
    run.env.DOCUMENTS_QUEUE,
    rules,
    limits,
  );
  const level = result.requeued > 0 ? "warn" : "info";
  run.logger[level]("stuck documents re-queued", result);
}

const TASKS: [string, (run: MaintenanceRun) => Promise<void>][] = [
  ["delete_expired_rows", deleteExpired],
  ["requeue_stuck_documents", requeueDocuments],
];
