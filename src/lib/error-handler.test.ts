import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../app";
import { requestContext } from "../middleware/request-context";
import { handleError } from "./error-handler";
import { AppError } from "./errors";
import { createRouter } from "./openapi";

function appThatThrows(error: unknown) {
  const app = createRouter();
  app.use("*", requestContext);
  app.get("/boom/", () => {
    throw error;
  });
  app.onError(handleError);
  return app;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("handleError", () => {
  it("hides an unexpected error behind a generic 500", async () => {
    const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await appThatThrows(new Error("relation secret_table does not exist")).request(
      "/boom/",
      {},
      env,
    );
    expect(response.status).toBe(500);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.code).toBe("internal_error");
    expect(JSON.stringify(body)).not.toContain("secret_table");
    expect(errorLog).toHaveBeenCalled();
  });

  it("renders an AppError with its status, code and field errors", async () => {
    const error = new AppError(400, "validation_error", "Data tidak valid.", {
      email: ["Email sudah dipakai."],
    });
    const response = await appThatThrows(error).request("/boom/", {}, env);
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.code).toBe("validation_error");
    expect(body.errors).toEqual({ email: ["Email sudah dipakai."] });
    expect(typeof body.request_id).toBe("string");
  });

  it("keeps SQL details of a database error out of the log", async () => {
    const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
    const databaseError = Object.assign(
      new Error('duplicate key value violates unique constraint "users_email_key"'),
      { code: "23505", constraint_name: "users_email_key" },
    );
    await appThatThrows(databaseError).request("/boom/", {}, env);
    const lines = errorLog.mock.calls.map((call) => String(call[0]));
    const unhandled = lines.find((line) => line.includes("unhandled error"));
    expect(unhandled).toBeDefined();
    expect(unhandled).toContain("23505");
    expect(unhandled).not.toContain("duplicate key value");
  });
});

describe("request log", () => {
  it("writes one JSON line per request with the route and status", async () => {
    const infoLog = vi.spyOn(console, "log").mockImplementation(() => {});
    await createApp().request("/health/", { headers: { "X-Request-ID": "log-test-0001" } }, env);
    const lines = infoLog.mock.calls
      .map((call) => JSON.parse(String(call[0])))
      .filter((line) => line.message === "request");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      request_id: "log-test-0001",
      method: "GET",
      route: "/health/",
      status: 200,
    });
    expect(typeof lines[0].duration_ms).toBe("number");
  });
});

describe("GET /health/ with the database down", () => {
  it("answers 503 and reports the database", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const downEnv = { ...env, DATABASE_URL: "postgres://postgres@127.0.0.1:9/postgres" };
    const response = await createApp().request("/health/", {}, downEnv);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe("degraded");
    expect(body.checks.database).toBe("error");
    expect(body.checks.cache).toBe("ok");
  });
});

describe("describeError", () => {
  it("drops drizzle query parameters from the log", async () => {
    const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
    const cause = Object.assign(new Error("duplicate key"), { code: "23505" });
    const wrapped = Object.assign(
      new Error("Failed query: insert into users values ($1)\nparams: someone@example.test"),
      { name: "DrizzleQueryError", query: "insert into users values ($1)", params: [], cause },
    );
    await appThatThrows(wrapped).request("/boom/", {}, env);
    const line = errorLog.mock.calls
      .map((call) => String(call[0]))
      .find((text) => text.includes("unhandled error"));
    expect(line).toBeDefined();
    expect(line).toContain("23505");
    expect(line).not.toContain("someone@example.test");
  });
});

describe("handleError with invalid input that reached the database", () => {
  const cases = [
    ["22021", "invalid byte sequence for encoding UTF8: 0x00"],
    ["22P05", "unsupported Unicode escape sequence"],
    ["22003", 'value "2147483648" is out of range for type integer'],
  ] as const;

  for (const [sqlState, message] of cases) {
    it(`answers 400 validation_error for SQLSTATE ${sqlState} and logs at warn`, async () => {
      const warnLog = vi.spyOn(console, "warn").mockImplementation(() => {});
      const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
      const cause = Object.assign(new Error(message), { code: sqlState });
      const wrapped = Object.assign(new Error("Failed query: update users set x = $1"), {
        name: "DrizzleQueryError",
        cause,
      });
      const response = await appThatThrows(wrapped).request("/boom/", {}, env);
      expect(response.status).toBe(400);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.code).toBe("validation_error");
      expect(JSON.stringify(body)).not.toContain(message);
      const warned = warnLog.mock.calls.map((call) => String(call[0]));
      expect(warned.some((line) => line.includes(sqlState))).toBe(true);
      expect(errorLog).not.toHaveBeenCalled();
    });
  }

  it("still answers 500 for other database errors", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const error = Object.assign(new Error('relation "x" does not exist'), { code: "42P01" });
    const response = await appThatThrows(error).request("/boom/", {}, env);
    expect(response.status).toBe(500);
  });
});

describe("handleError with a transaction aborted for a concurrent one", () => {
  for (const [sqlState, message] of [
    ["40P01", "deadlock detected"],
    ["40001", "could not serialize access due to concurrent update"],
  ] as const) {
    it(`answers 503 with Retry-After for SQLSTATE ${sqlState}`, async () => {
      const warnLog = vi.spyOn(console, "warn").mockImplementation(() => {});
      const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
      const cause = Object.assign(new Error(message), { code: sqlState });
      const wrapped = Object.assign(new Error("Failed query: update sessions set x = $1"), {
        name: "DrizzleQueryError",
        cause,
      });
      const response = await appThatThrows(wrapped).request("/boom/", {}, env);
      expect(response.status).toBe(503);
      expect(response.headers.get("Retry-After")).toBe("1");
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.code).toBe("service_unavailable");
      expect(JSON.stringify(body)).not.toContain(message);
      const warned = warnLog.mock.calls.map((call) => String(call[0]));
      expect(warned.some((line) => line.includes(sqlState))).toBe(true);
      // The request line of a 503 is logged at error, but the conflict is not an unhandled error.
      const errors = errorLog.mock.calls.map((call) => String(call[0]));
      expect(errors.some((line) => line.includes("unhandled error"))).toBe(false);
    });
  }
});

describe("handleError when the database does not accept a connection", () => {
  it("POST /api/auth/token/ returns 503 when the database refuses", async () => {
    const errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
    const downEnv = { ...env, DATABASE_URL: "postgres://postgres@127.0.0.1:9/postgres" };
    const response = await createApp().request(
      "/api/auth/token/",
      {
        method: "POST",
        headers: { "Content-Type": "application/json", "CF-Connecting-IP": "203.0.113.9" },
        body: JSON.stringify({ email: "someone@example.test", password: "Rahasia-123" }),
      },
      downEnv,
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("5");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.code).toBe("service_unavailable");
    expect(typeof body.request_id).toBe("string");
    const lines = errorLog.mock.calls.map((call) => String(call[0]));
    expect(lines.some((line) => line.includes("database unreachable"))).toBe(true);
    expect(lines.some((line) => line.includes("unhandled error"))).toBe(false);
  });

  it("returns 503 for a wrapped CONNECT_TIMEOUT", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const cause = Object.assign(new Error("write CONNECT_TIMEOUT 127.0.0.1:5432"), {
      code: "CONNECT_TIMEOUT",
    });
    const wrapped = Object.assign(new Error("Failed query: select 1"), { cause });
    const response = await appThatThrows(wrapped).request("/boom/", {}, env);
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(((await response.json()) as Record<string, unknown>).code).toBe("service_unavailable");
  });

  it("returns 500 for other connection-worded errors", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await appThatThrows(new Error("connection string is malformed")).request(
      "/boom/",
      {},
      env,
    );
    expect(response.status).toBe(500);
  });
});
