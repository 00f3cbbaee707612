// `npm run dev`: starts the embedded Postgres (unless DATABASE_URL is set), applies the
// migrations, loads the regions, seeds a first admin in development, then runs `wrangler dev`
// with local state under `.data/wrangler`. Ctrl-C stops both; when either one fails, the other
// is stopped too.
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DEFAULT_DEV_ADMIN_EMAIL, type DevAdminCredentials, seedDevAdmin } from "./lib/dev-admin";
import { connectDevDatabase, type DevDatabase } from "./lib/dev-database";
import {
  configFromEnvironment,
  ensureDevSecrets,
  readDevVars,
  varArguments,
} from "./lib/dev-settings";
import { migrateDatabase } from "./lib/migrate";
import { spawnGroup, stopProcessGroup } from "./lib/process-group";
import { describeRegionSeed, seedRegions } from "./lib/regions-seed";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WRANGLER_BIN = fileURLToPath(
  new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url),
);
const DEFAULT_PORT = 8787;
const DEFAULT_PASSWORD_ITERATIONS = 100_000;

async function main(): Promise<void> {
  const port = listenPort();
  const createdSecrets = ensureDevSecrets();
  if (createdSecrets.length > 0) log(`wrote random ${createdSecrets.join(" and ")} to .dev.vars`);
  const fromEnvironment = configFromEnvironment();
  const settings = { ...readDevVars(), ...fromEnvironment };

  const database = await connectDevDatabase();
  log(`database: ${database.source} (${redactPassword(database.url)})`);
  try {
    await migrateDatabase(database.url);
    log("migrations applied");
    // Document types come from a migration; regions from their data package, checked on every
    // start and written only when the stored rows differ.
    log(describeRegionSeed(await seedRegions(database.url)));

    // wrangler.toml sets ENVIRONMENT = "development" for `wrangler dev`.
    if ((settings.ENVIRONMENT ?? "development") === "development") {
      printAdmin(await seedAdmin(database.url, settings));
    }
  } catch (error) {
    await database.stop();
    throw explainConnectFailure(error, database);
  }

  const args = [
    WRANGLER_BIN,
    "dev",
    ...["--ip", "127.0.0.1", "--port", String(port)],
    ...["--persist-to", ".data/wrangler"],
    "--show-interactive-dev-session=false",
    // Serves /__scheduled, which runs the daily clean-up of wrangler.toml's [triggers] on request.
    "--test-scheduled",
    ...varArguments({ ...fromEnvironment, DATABASE_URL: database.url }),
  ];
  // By default wrangler posts usage metrics to Cloudflare and downloads request metadata
  // (`request.cf`) on each start. A local server sends nothing out on its own, so both are off
  // unless the shell sets the variables.
  process.env.WRANGLER_SEND_METRICS ??= "false";
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
  supervise(spawnGroup(process.execPath, args, ROOT), database);
}

function listenPort(): number {
  const raw = process.env.PORT;
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`PORT must be a TCP port number (1-65535), got "${raw}"`);
  }
  return port;
}

function seedAdmin(url: string, settings: Record<string, string>) {
  const pepper = settings.PASSWORD_PEPPER;
  if (!pepper) throw new Error("PASSWORD_PEPPER is missing from .dev.vars and the environment");
  const iterations = Number(settings.PASSWORD_ITERATIONS ?? DEFAULT_PASSWORD_ITERATIONS);
  const email = process.env.DEV_ADMIN_EMAIL || DEFAULT_DEV_ADMIN_EMAIL;
  return seedDevAdmin(url, email, {
    PASSWORD_PEPPER: pepper,
    PASSWORD_ITERATIONS: iterations,
  });
}

function printAdmin(admin: DevAdminCredentials | undefined): void {
  if (!admin) return;
  log("created the first admin account; the password is shown only this once:");
  log(`  email:    ${admin.email}`);
  log(`  password: ${admin.password}`);
}

/** Ties the lifetimes together: a signal, a wrangler exit or a crash here stops both. */
function supervise(wrangler: ChildProcess, database: DevDatabase): void {
  let stopping = false;
  const stopAll = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log(`${reason}; stopping`);
    await stopProcessGroup(wrangler);
    await database.stop();
    log("stopped");
    process.exit(exitCode);
  };

  wrangler.once("exit", (code, signal) => {
    void stopAll(`wrangler exited (code ${code}, signal ${signal})`, code ?? 1);
  });
  wrangler.once("error", (error) => {
    void stopAll(`wrangler failed to start: ${error.message}`, 1);
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => void stopAll(`received ${signal}`, 0));
  }
  // The embedded database runs in this process, so its failures surface here.
  process.on("uncaughtException", (error) => {
    console.error(error);
    void stopAll("uncaught error", 1);
  });
  process.on("unhandledRejection", (error) => {
    console.error(error);
    void stopAll("unhandled promise rejection", 1);
  });
}

function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

/** A start-up failure whose message is complete on its own, so it is printed without a stack. */
class StartError extends Error {}

const CONNECT_FAILURE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "ETIMEDOUT",
  "CONNECT_TIMEOUT",
]);

/** Turns a failure to reach DATABASE_URL (in `error` or its causes) into a one-line StartError. */
function explainConnectFailure(error: unknown, database: DevDatabase): unknown {
  if (database.source !== "DATABASE_URL") return error;
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECT_FAILURE_CODES.has(code)) {
      return new StartError(
        `cannot connect to DATABASE_URL ${redactPassword(database.url)} (${code}). Start that ` +
          "database, or unset DATABASE_URL to use the embedded one.",
      );
    }
  }
  return error;
}

function log(message: string): void {
  console.log(`[dev] ${message}`);
}

main().catch((error: unknown) => {
  console.error("[dev] failed to start:", error instanceof StartError ? error.message : error);
  process.exit(1);
});
