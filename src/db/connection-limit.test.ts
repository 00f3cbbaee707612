import { SELF, env as testEnv } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, randomIpAddress, readJson, uniqueEmail } from "../../test/helpers/http";
import { pngImage } from "../../test/helpers/images";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { createApp } from "../app";
import { type Bindings, type Config, loadConfig } from "../env";
import { AppError } from "../lib/errors";
import { type DatabaseHandle, openDatabase } from "./client";
import { users } from "./schema";

const env = testEnv as unknown as Bindings;

// The isolate keeps one limiter per maximum, so each test uses a maximum of its own and
// shares its slots with no other test.
function limitedConfig(maxConnections: number, acquireTimeoutMs: number): Config {
  return {
    ...loadConfig(env),
    DATABASE_MAX_CONNECTIONS: maxConnections,
    DATABASE_ACQUIRE_TIMEOUT_MS: acquireTimeoutMs,
  };
}

/** Opens `count` handles and runs one query on each, so each keeps a connection slot. */
async function holdSlots(config: Config, count: number): Promise<DatabaseHandle[]> {
  const handles = Array.from({ length: count }, () => openDatabase(config));
  await Promise.all(handles.map((handle) => handle.db.execute(sql`select 1`)));
  return handles;
}

const settled = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => true), new Promise((r) => setTimeout(() => r(false), 300))]);

const open: DatabaseHandle[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((handle) => handle.close()));
  vi.restoreAllMocks();
});

describe("database connection limit", () => {
  it("runs more parallel connections than slots, waiting in turn", async () => {
    const config = limitedConfig(3, 20_000);
    const handles = Array.from({ length: 12 }, () => openDatabase(config));
    open.push(...handles);

    const results = await Promise.all(
      handles.map(async (handle, index) => {
        const rows = await handle.db.execute(sql`select ${index}::int as value`);
        await handle.close();
        return (rows as unknown as { value: number }[])[0]?.value;
      }),
    );

    expect(results).toEqual(Array.from({ length: 12 }, (_, index) => index));
  });

  it("keeps a connection waiting until a slot is freed", async () => {
    const config = limitedConfig(2, 20_000);
    const holders = await holdSlots(config, 2);
    open.push(...holders);
    const waiter = openDatabase(config);
    open.push(waiter);

    const query = waiter.db.execute(sql`select 1 as value`);
    expect(await settled(query)).toBe(false);

    await holders[0]!.close();
    expect(await settled(query)).toBe(true);
  });

  it("rejects a waiter after the timeout with a 503 service_unavailable", async () => {
    const config = limitedConfig(1, 150);
    open.push(...(await holdSlots(config, 1)));
    const waiter = openDatabase(config);
    open.push(waiter);

    const error = await waiter.db.execute(sql`select 1`).catch((caught: unknown) => caught);

    const appError = error instanceof AppError ? error : (error as Error).cause;
    expect(appError).toBeInstanceOf(AppError);
    expect((appError as AppError).status).toBe(503);
    expect((appError as AppError).code).toBe("service_unavailable");
    expect((appError as AppError).headers?.["Retry-After"]).toMatch(/^\d+$/);
  });

  it("frees the slot of a waiter that timed out", async () => {
    const config = limitedConfig(4, 150);
    const holders = await holdSlots(config, 4);
    open.push(...holders);
    const late = openDatabase(config);
    open.push(late);
    await expect(late.db.execute(sql`select 1`)).rejects.toThrow();

    await Promise.all(holders.map((handle) => handle.close()));
    const fresh = await holdSlots(config, 4);
    open.push(...fresh);

    expect(fresh).toHaveLength(4);
  });
});

describe("HTTP requests beyond the connection limit", () => {
  it("GET /api/me/ answers 200 to three times as many parallel requests as slots", async () => {
    const { user, password } = await createTestUser();
    const { access } = await loginAs(user.email, password);
    const count = 3 * loadConfig(env).DATABASE_MAX_CONNECTIONS;

    // Each request has its own request context, so slots pass between requests.
    const responses = await Promise.all(
      Array.from({ length: count }, () => api("GET", "/api/me/", { token: access })),
    );

    const statuses = responses.map((response) => response.status);
    expect(statuses).toEqual(Array.from({ length: count }, () => 200));
  });
});

describe("HTTP requests while every connection slot is busy", () => {
  const busyEnv = (maxConnections: number) => ({
    ...env,
    DATABASE_MAX_CONNECTIONS: String(maxConnections),
    DATABASE_ACQUIRE_TIMEOUT_MS: "200",
  });

  it("GET /api/me/ answers 503 service_unavailable with Retry-After", async () => {
    const { user, password } = await createTestUser();
    const { access } = await loginAs(user.email, password);
    open.push(...(await holdSlots(limitedConfig(5, 20_000), 5)));

    const response = await createApp().request(
      "/api/me/",
      { headers: { Authorization: `Bearer ${access}`, "CF-Connecting-IP": randomIpAddress() } },
      busyEnv(5),
    );

    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toMatch(/^\d+$/);
    const body = await readJson(response);
    expect(body.code).toBe("service_unavailable");
    expect(typeof body.detail).toBe("string");
    expect(typeof body.request_id).toBe("string");
  });

  it("POST /api/auth/register/ answers 503 and writes no user or file", async () => {
    open.push(...(await holdSlots(limitedConfig(6, 20_000), 6)));
    const putSpy = vi.spyOn(env.FILES, "put");
    const email = uniqueEmail("busy");
    const form = new FormData();
    form.append("email", email);
    form.append("password", "Pelamar-Kuat-2024!");
    form.append("nik", `3201${String(Date.now()).slice(-12)}`);
    form.append("ktp", new File([await pngImage(4, 3)], "ktp.png", { type: "image/png" }));

    const response = await createApp().request(
      "/api/auth/register/",
      { method: "POST", body: form, headers: { "CF-Connecting-IP": randomIpAddress() } },
      busyEnv(6),
    );

    expect(response.status).toBe(503);
    expect((await readJson(response)).code).toBe("service_unavailable");
    await Promise.all(open.splice(0).map((handle) => handle.close()));
    const rows = await withDatabase(({ db }) =>
      db.select().from(users).where(eq(users.email, email)),
    );
    expect(rows).toHaveLength(0);
    expect(putSpy).not.toHaveBeenCalled();
  });
});

/**
 * Opens a transaction on a connection of its own that locks `users` against reads, and keeps it
 * open until the returned function is called, so queries that read `users` stay in flight until
 * then. The embedded server makes every other client wait while a transaction is open, because
 * all clients share one backend. On PostgreSQL the ACCESS EXCLUSIVE lock makes them wait.
 */
async function blockDatabase(): Promise<() => Promise<void>> {
  const holder = openDatabase(limitedConfig(7, 20_000));
  let unblock!: () => void;
  const blocked = new Promise<void>((resolve) => {
    unblock = resolve;
  });
  let started!: () => void;
  const begun = new Promise<void>((resolve) => {
    started = resolve;
  });
  const transaction = holder.db.transaction(async (tx) => {
    await tx.execute(sql`lock table users in access exclusive mode`);
    started();
    await blocked;
  });
  await begun;
  return async () => {
    unblock();
    await transaction;
    await holder.close();
  };
}

describe("HTTP requests cancelled while they hold a connection", () => {
  it("GET /api/me/ gets a connection after as many cancelled requests as slots", async () => {
    const { user, password } = await createTestUser();
    const { access } = await loginAs(user.email, password);
    const config = loadConfig(env);
    const request = (signal?: AbortSignal) =>
      SELF.fetch("http://api.test/api/me/", {
        headers: { Authorization: `Bearer ${access}`, "CF-Connecting-IP": randomIpAddress() },
        signal,
      });

    // Every slot is taken by a request whose query waits on the blocked database. Aborting the
    // fetch makes workerd cancel the request, so its socket never emits `close`.
    const unblock = await blockDatabase();
    const controllers = Array.from(
      { length: config.DATABASE_MAX_CONNECTIONS },
      () => new AbortController(),
    );
    const cancelled = controllers.map((controller) =>
      request(controller.signal).catch((error: unknown) => error),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const controller of controllers) controller.abort();
    const outcomes = await Promise.all(cancelled);
    await unblock();

    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(Error);
    const started = Date.now();
    const response = await request();
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(config.DATABASE_ACQUIRE_TIMEOUT_MS / 2);
  });
});
