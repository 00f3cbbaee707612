// `npm run dev:fakes`: serves the fakes of third-party services that the tests use (Vision,
// Google OAuth and ID token keys, Resend, S3, Neon) on a loopback port, so OCR, email delivery
// and the S3 driver can be tried by hand against `npm run dev`. It prints the variables to set.
// Options: `--nik N` and `--name NAME` set the KTP text that Vision returns for every image.
import { parseArgs } from "node:util";
import { ktpText } from "../test/fakes/ktp-text";
import { S3_FAKE } from "../test/fakes/s3";
import { startFakes } from "../test/fakes/server";
import { embeddedPostgresPort, embeddedPostgresUrl, PGLITE_DATA_DIR } from "./lib/dev-database";
import { readServerLock } from "./lib/embedded-postgres";

const DEFAULT_PORT = 8790;
/** The Vision fake accepts any non-empty key. It keeps planned text and calls per key. */
const VISION_KEY = "dev-fake-vision-key";
/** The Resend fake accepts any Bearer token that starts with `re_`, as Resend's keys do. */
const RESEND_KEY = "re_dev_fake";
const GOOGLE_CLIENT_ID = "dev-client-id.apps.googleusercontent.com";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { nik: { type: "string" }, name: { type: "string" } },
  });
  const port = listenPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // The Neon fake runs SQL on this database only. The other fakes keep their state in memory.
  const fakes = await startFakes({ port, databaseUrl: devDatabaseUrl() });
  if (values.nik !== undefined || values.name !== undefined) {
    await planKtpText(baseUrl, { nik: values.nik, name: values.name });
  }
  printVariables(baseUrl);

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      void fakes.stop().then(() => process.exit(0));
    });
  }
}

function listenPort(): number {
  const raw = process.env.DEV_FAKES_PORT;
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`DEV_FAKES_PORT must be a TCP port number (1-65535), got "${raw}"`);
  }
  return port;
}

/**
 * Returns the URL of the `npm run dev` database: DATABASE_URL, else the embedded server that
 * `npm run dev` recorded, else the EMBEDDED_POSTGRES_PORT (or default) port on loopback.
 */
function devDatabaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const port = readServerLock(PGLITE_DATA_DIR)?.port ?? embeddedPostgresPort();
  return embeddedPostgresUrl(port);
}

/** Makes the Vision fake return a KTP with this NIK and name instead of its default one. */
async function planKtpText(baseUrl: string, options: { nik?: string; name?: string }) {
  const response = await fetch(`${baseUrl}/vision/__plan`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ account: VISION_KEY, text: ktpText(options) }),
  });
  if (!response.ok) {
    throw new Error(`setting the KTP text of the Vision fake failed with HTTP ${response.status}`);
  }
}

function printVariables(baseUrl: string): void {
  const lines = [
    `fakes listening on ${baseUrl}, stopped by Ctrl-C. Set any group below in the environment`,
    "of `npm run dev` or add it to .dev.vars, then restart `npm run dev`:",
    "",
    "# KTP OCR: Vision returns the KTP text of test/fakes/ktp-text.ts for every image",
    "# (--nik and --name change it); its calls are listed by",
    `#   curl '${baseUrl}/vision/__calls?account=${VISION_KEY}'`,
    `GOOGLE_VISION_ENDPOINT=${baseUrl}/vision`,
    `GOOGLE_VISION_API_KEY=${VISION_KEY}`,
    "# Emails go to the Resend fake, which lists those sent to one address with",
    `#   curl '${baseUrl}/resend/__messages?to=EMAIL'`,
    "EMAIL_PROVIDER=resend",
    `RESEND_API_KEY=${RESEND_KEY}`,
    `RESEND_API_URL=${baseUrl}/resend`,
    "# Google sign-in: the fake signs the claims it receives and returns {token}, for example",
    `#   curl -d '{"iss":"https://accounts.google.com","aud":"${GOOGLE_CLIENT_ID}","sub":"dev-1",` +
      `"email":"you@example.com","email_verified":true,"exp":'$(($(date +%s)+3600))'}' ${baseUrl}/google/__sign`,
    `GOOGLE_CLIENT_IDS=${GOOGLE_CLIENT_ID}`,
    `GOOGLE_JWKS_URL=${baseUrl}/google/certs`,
    "# Uploads to the S3 fake instead of local R2 (kept in memory until the fakes stop)",
    "STORAGE_DRIVER=s3",
    `S3_ENDPOINT=${baseUrl}/s3`,
    `S3_REGION=${S3_FAKE.region}`,
    `S3_BUCKET=${S3_FAKE.bucket}`,
    `S3_ACCESS_KEY_ID=${S3_FAKE.accessKeyId}`,
    `S3_SECRET_ACCESS_KEY=${S3_FAKE.secretAccessKey}`,
  ];
  console.log(lines.join("\n"));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
