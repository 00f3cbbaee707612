import type { AppContext, ServiceContext } from "../context";
import { openDatabase } from "../db/client";
import { describeError } from "./logger";

/**
 * Runs `work` after the response is sent, through `executionCtx.waitUntil`, with its own
 * database connection: the request's connection closes when the response is ready. Failures
 * are logged as `background task failed` with `task`, and never reach the client.
 */
export function runInBackground(
  c: AppContext,
  task: string,
  work: (services: ServiceContext) => Promise<void>,
): void {
  const config = c.get("config");
  const logger = c.get("logger").child({ task });
  const run = async () => {
    const database = openDatabase(config);
    try {
      await work({ db: database.db, database, config, env: c.env, logger });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      // The cause of a drizzle query error keeps the SQLSTATE without the quoted parameters.
      logger.error("background task failed", describeError(cause));
    } finally {
      await database.close();
    }
  };
  c.executionCtx.waitUntil(run());
}
