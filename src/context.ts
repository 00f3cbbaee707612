import type { Context } from "hono";
import type { Database, DatabaseHandle } from "./db/client";
import type { Bindings, Config } from "./env";
import type { Logger } from "./lib/logger";

/** The signed-in user and session, set by `requireAuth`. */
export interface AuthState {
  userId: number;
  role: "ADMIN" | "STAFF" | "COMPANY" | "APPLICANT";
  sessionId: number;
  /** How the request proved its identity: a Bearer header or the `kms_access` cookie. */
  via: "bearer" | "cookie";
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    config: Config;
    requestId: string;
    logger: Logger;
    database: LazyDatabase;
    auth: AuthState | undefined;
  };
}

export type AppContext = Context<AppEnv>;

/** Opens the request's database connection on first use, so routes without SQL open none. */
export interface LazyDatabase {
  get(): DatabaseHandle;
  closeIfOpened(): Promise<void>;
}

/** What services need from a request, a queue batch or a script, without Hono's context. */
export interface ServiceContext {
  db: Database;
  database: DatabaseHandle;
  config: Config;
  env: Bindings;
  logger: Logger;
}

/** Builds the service context of a request, opening its database connection. */
export function serviceContext(c: AppContext): ServiceContext {
  const database = c.get("database").get();
  return {
    db: database.db,
    database,
    config: c.get("config"),
    env: c.env,
    logger: c.get("logger"),
  };
}
