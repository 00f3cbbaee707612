// `npm run create-admin -- --email E [--password P] [--full-name N]`: creates an ADMIN account
// with a verified email and an A- referral code, after applying pending migrations.
//
// Without --password the password is read from the terminal with hidden input and asked twice,
// or, when stdin is not a terminal, from the first line of stdin (`echo "$P" | npm run …`).
// The database is DATABASE_URL, else the embedded server of a running `npm run dev`, else an
// embedded server started here on .data/pglite. PASSWORD_PEPPER (and PASSWORD_ITERATIONS) come
// from the environment, else from .dev.vars. Against production, export the production pepper.
//
// Exit codes: 0 created, 1 unexpected failure, 2 bad usage, 3 email invalid or taken,
// 4 password rejected by the password rules.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { PasswordConfig } from "../src/auth/passwords";
import type { Database } from "../src/db/client";
import * as schema from "../src/db/schema";
import { AppError } from "../src/lib/errors";
import { createAdminAccount } from "../src/users/admin-accounts";
import { connectDevDatabase } from "./lib/dev-database";
import { readDevVars } from "./lib/dev-settings";
import { migrateDatabase } from "./lib/migrate";

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_EMAIL = 3;
const EXIT_PASSWORD = 4;
const DEFAULT_PASSWORD_ITERATIONS = 100_000;

const USAGE =
  "usage: npm run create-admin -- --email EMAIL [--password PASSWORD] [--full-name NAME]";

class UsageError extends Error {}

async function main(): Promise<number> {
  const options = readOptions();
  const config = passwordConfig();
  const password = options.password ?? (await readPassword());

  const database = await connectDevDatabase();
  try {
    console.log(`database: ${database.source}`);
    await migrateDatabase(database.url);
    // max 1 and unnamed statements, for the single shared backend of the embedded server.
    const client = postgres(database.url, { max: 1, prepare: false, onnotice: () => {} });
    try {
      const db = drizzle(client, { schema }) as unknown as Database;
      const input = { email: options.email, password, fullName: options.fullName, config };
      const created = await createAdminAccount(db, input);
      console.log(`created ADMIN account ${created.email} (id ${created.id})`);
      return 0;
    } finally {
      await client.end({ timeout: 5 });
    }
  } finally {
    await database.stop();
  }
}

function readOptions(): { email: string; password?: string; fullName?: string } {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      password: { type: "string" },
      "full-name": { type: "string" },
    },
    strict: true,
  });
  if (!values.email) throw new UsageError("--email is required");
  return { email: values.email, password: values.password, fullName: values["full-name"] };
}

function passwordConfig(): PasswordConfig {
  const settings = { ...readDevVars(), ...process.env };
  const pepper = settings.PASSWORD_PEPPER;
  if (!pepper) {
    throw new UsageError(
      "PASSWORD_PEPPER is not set: export the pepper of the target environment, " +
        "or run `npm run dev` once to create .dev.vars",
    );
  }
  const iterations = Number(settings.PASSWORD_ITERATIONS || DEFAULT_PASSWORD_ITERATIONS);
  if (!Number.isInteger(iterations) || iterations < 10_000 || iterations > 100_000) {
    throw new UsageError("PASSWORD_ITERATIONS must be an integer from 10000 to 100000");
  }
  return { PASSWORD_PEPPER: pepper, PASSWORD_ITERATIONS: iterations };
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine();
  const password = await promptHidden("Password: ");
  const confirmation = await promptHidden("Repeat the password: ");
  if (password !== confirmation) throw new UsageError("the two passwords differ");
  return password;
}

async function readFirstLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  throw new UsageError("no password given: pass --password or one line on stdin");
}

/** Reads one line from the terminal in raw mode without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stdout.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (error?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === "\r" || character === "\n") return finish();
        // Ctrl-C and Ctrl-D: raw mode delivers them as characters instead of signals.
        if (character === "\u0003" || character === "\u0004") {
          return finish(new UsageError("cancelled"));
        }
        if (character === "\u007f" || character === "\b") value = value.slice(0, -1);
        else value += character;
      }
    };
    stdin.on("data", onData);
  });
}

/** Prints the field errors of a rejected account and returns the matching exit code. */
function reportRejection(error: AppError): number {
  for (const [field, messages] of Object.entries(error.errors ?? {})) {
    const list = Array.isArray(messages) ? messages : Object.values(messages).flat();
    for (const message of list) console.error(`${field}: ${message}`);
  }
  if (error.errors?.email) return EXIT_EMAIL;
  if (error.errors?.password) return EXIT_PASSWORD;
  return EXIT_USAGE;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    if (error instanceof AppError && error.code === "validation_error") {
      console.error("the account was not created:");
      process.exitCode = reportRejection(error);
    } else if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      console.error(`${(error as Error).message}\n${USAGE}`);
      process.exitCode = EXIT_USAGE;
    } else {
      console.error("create-admin failed:", error);
      process.exitCode = EXIT_FAILURE;
    }
  });
