import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as util from "node:util";
import { CONFIG_VARIABLES } from "../../src/env";

/** `wrangler dev` reads this file for the Worker's local secrets; it is git-ignored. */
export const DEV_VARS_PATH = fileURLToPath(new URL("../../.dev.vars", import.meta.url));

/** Secrets the Worker refuses to start without, generated on the first `npm run dev`. */
const GENERATED_SECRETS = ["JWT_SECRET", "PASSWORD_PEPPER"] as const;

/**
 * Creates `.dev.vars` with a random 256-bit JWT_SECRET and PASSWORD_PEPPER, or appends either
 * one that an existing file lacks. Returns the names it wrote.
 */
export function ensureDevSecrets(): string[] {
  const existing = existsSync(DEV_VARS_PATH) ? readDevVars() : undefined;
  const missing = GENERATED_SECRETS.filter((name) => !existing?.[name]);
  if (missing.length === 0) return [];

  const lines = missing.map((name) => `${name}=${randomBytes(32).toString("hex")}`);
  if (existing === undefined) {
    const header = [
      "# Local secrets for `wrangler dev`, created by `npm run dev`. Never commit this file.",
      "# Changing PASSWORD_PEPPER makes every stored password hash fail to verify.",
    ];
    writeFileSync(DEV_VARS_PATH, `${[...header, ...lines].join("\n")}\n`, { mode: 0o600 });
  } else {
    appendFileSync(DEV_VARS_PATH, `\n${lines.join("\n")}\n`);
  }
  return missing;
}

/** Parses `.dev.vars` (dotenv syntax, as wrangler reads it); an absent file is empty. */
export function readDevVars(): Record<string, string> {
  if (!existsSync(DEV_VARS_PATH)) return {};
  // util.parseEnv arrived in Node 20.12, later than the Node 20.3 that wrangler accepts.
  if (typeof util.parseEnv !== "function") {
    throw new Error(`npm run dev needs Node 20.12 or newer to read .dev.vars (${process.version})`);
  }
  return util.parseEnv(readFileSync(DEV_VARS_PATH, "utf8")) as Record<string, string>;
}

/** Picks the Worker variables (names from src/env.ts) that this process's environment sets. */
export function configFromEnvironment(environment = process.env): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = environment[name];
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/**
 * Builds `wrangler dev --var NAME:VALUE` arguments. Wrangler splits each at the first colon
 * only, and spawn passes every argument unparsed by a shell, so spaces and colons survive.
 * These values override `.dev.vars` and the `[vars]` of wrangler.toml.
 */
export function varArguments(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
}
