import { afterEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { form, MINE, upload } from "../../test/helpers/documents";
import { linkFrom, waitForEmails } from "../../test/helpers/emails";
import { googleClaims, signGoogleToken } from "../../test/helpers/google";
import { api, readJson, uniqueEmail } from "../../test/helpers/http";
import { pngImage } from "../../test/helpers/images";
import { consumeQueue } from "../../test/helpers/queues";

// The Worker runs in the same isolate as the tests in the Workers test pool, so a spy on the
// console here receives every line that request handlers, background tasks and queue consumers
// write, including consumers that miniflare runs on its own.

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug"] as const;
let spies: MockInstance[] = [];

function captureConsole(): string[] {
  const lines: string[] = [];
  spies = CONSOLE_METHODS.map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((arg) => (typeof arg === "string" ? arg : safeString(arg))).join(" "));
    }),
  );
  return lines;
}

function safeString(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ""}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

afterEach(() => {
  for (const spy of spies) spy.mockRestore();
  spies = [];
});

function randomNik(): string {
  const digits = crypto.getRandomValues(new Uint8Array(12));
  return `3273${[...digits].map((digit) => digit % 10).join("")}`;
}

function randomPhone(): string {
  const digits = crypto.getRandomValues(new Uint8Array(9));
  return `+62 81${[...digits].map((digit) => digit % 10).join("")}`;
}

function googleIdToken(email: string, name: string): Promise<string> {
  return signGoogleToken(googleClaims({ email, name }));
}

/** Lists the forms a value may take in a log line: as given, lower-cased, and a JWT's signature. */
function variants(value: string): string[] {
  const forms = [value, value.toLowerCase()];
  const jwtParts = value.split(".");
  if (jwtParts.length === 3) forms.push(jwtParts[2]!);
  if (value.includes("@")) forms.push(value.split("@")[0]!);
  const digitsOnly = value.replace(/\D/g, "");
  if (value.startsWith("+") && digitsOnly.length >= 9) forms.push(digitsOnly);
  // Short fragments would match unrelated text, and none of the values here is that short.
  return forms.filter((form) => form.length >= 8);
}

describe("Worker logs", () => {
  it("contain no personal data, secrets or signed URLs across a full applicant flow", async () => {
    const lines = captureConsole();
    const secrets: Record<string, string> = {};
    const remember = (name: string, value: string) => {
      secrets[name] = value;
      return value;
    };

    // POST /api/auth/register/ with a KTP.
    const email = remember("email", uniqueEmail("redaksi"));
    const password = remember("password", `Rahasia-${crypto.randomUUID().slice(0, 8)}-Kuat!`);
    const registration = new FormData();
    registration.set("email", email);
    registration.set("password", password);
    registration.set("nik", remember("nik", randomNik()));
    registration.set("full_name", remember("full_name", "Wulan Redaksi Setiawati"));
    registration.set("phone_number", remember("phone", randomPhone()));
    registration.set("ktp", new File([await pngImage(4, 3)], "ktp.png", { type: "image/png" }));
    const registered = await api("POST", "/api/auth/register/", { form: registration });
    expect(registered.status).toBe(201);
    const registeredBody = await readJson(registered);
    remember("register_access", registeredBody.data.access);
    remember("register_refresh", registeredBody.data.refresh);

    // GET /api/auth/verify-email/ with the link from the email.
    const [verification] = await waitForEmails(email, 1);
    const verifyLink = linkFrom(verification!, "http://app.test/verify-email?");
    remember("verification_token", verifyLink.searchParams.get("token")!);
    const verified = await api("GET", `/api/auth/verify-email/${verifyLink.search}`);
    expect(verified.status).toBe(200);

    // POST /api/auth/token/ and /api/auth/token/refresh/.
    const login = await api("POST", "/api/auth/token/", { json: { email, password } });
    expect(login.status).toBe(200);
    const loginBody = await readJson(login);
    remember("login_refresh", loginBody.data.refresh);
    const refreshed = await api("POST", "/api/auth/token/refresh/", {
      json: { refresh: loginBody.data.refresh },
    });
    expect(refreshed.status).toBe(200);
    const refreshedBody = await readJson(refreshed);
    const access = remember("access", refreshedBody.data.access);
    remember("refresh", refreshedBody.data.refresh);

    // PATCH /api/me/ with a new name and NIK.
    const patched = await api("PATCH", "/api/me/", {
      token: access,
      json: {
        full_name: remember("new_full_name", "Wulan Redaksi Pratiwi"),
        nik: remember("new_nik", randomNik()),
      },
    });
    expect(patched.status).toBe(200);

    // POST /api/applicants/me/documents/ and the documents consumer on its message.
    const uploaded = await upload(
      access,
      MINE,
      form("kartu-bpjs", await pngImage(8, 8), "bpjs.png"),
    );
    expect(uploaded.status).toBe(201);
    const document = await readJson(uploaded);
    remember("signed_url", document.file);
    // The token of a signed URL sits in its path or its query, depending on the storage driver.
    const signed = new URL(document.file);
    remember("signed_url_path", signed.pathname);
    if (signed.search.length > 1) remember("signed_url_query", signed.search.slice(1));
    await consumeQueue("kms-documents", [
      { body: { document_id: document.id, file_version: document.file_version ?? 1 } },
    ]);

    // POST /api/auth/token/ with a wrong password.
    const wrong = remember("wrong_password", `${password}-salah`);
    const failed = await api("POST", "/api/auth/token/", { json: { email, password: wrong } });
    expect(failed.status).toBe(401);

    // POST /api/auth/request-password-reset/ and /api/auth/confirm-reset-password/.
    const requested = await api("POST", "/api/auth/request-password-reset/", { json: { email } });
    expect(requested.status).toBe(200);
    const emails = await waitForEmails(email, 2);
    const resetLink = linkFrom(emails[emails.length - 1]!, "http://app.test/reset-password?");
    const resetToken = remember("reset_token", resetLink.searchParams.get("token")!);
    const newPassword = remember("new_password", `Baru-${crypto.randomUUID().slice(0, 8)}-Kuat!`);
    const confirmed = await api("POST", "/api/auth/confirm-reset-password/", {
      json: {
        uid: resetLink.searchParams.get("uid"),
        token: resetToken,
        new_password: newPassword,
      },
    });
    expect(confirmed.status).toBe(200);

    // POST /api/auth/google/ with a token signed by the fake Google key.
    const googleEmail = remember("google_email", uniqueEmail("google-redaksi"));
    const googleName = remember("google_name", "Bayu Redaksi Nugroho");
    const idToken = remember("google_id_token", await googleIdToken(googleEmail, googleName));
    const google = await api("POST", "/api/auth/google/", { json: { id_token: idToken } });
    // 201: the Google account is new, so the sign-in creates the applicant.
    expect(google.status).toBe(201);
    remember("google_access", (await readJson(google)).data.access);

    // The capture works: request and queue lines were seen.
    expect(lines.some((line) => line.includes('"message":"request"'))).toBe(true);
    expect(lines.some((line) => line.includes('"message":"document message processed"'))).toBe(
      true,
    );
    for (const [name, value] of Object.entries(secrets)) {
      for (const form of variants(value)) {
        const leaking = lines.filter((line) => line.includes(form));
        expect(leaking, `${name} appears in the log`).toEqual([]);
      }
    }
  }, 90_000);
});
