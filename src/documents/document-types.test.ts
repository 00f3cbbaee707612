import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { documentTypes } from "../db/schema";
import type { Bindings } from "../env";
import { PUBLIC_TYPES_CACHE_KEY } from "./document-types.cache";

const bindings = env as unknown as Bindings;

async function tokenFor(role: "ADMIN" | "STAFF" | "COMPANY" | "APPLICANT") {
  const { user, password } = await createTestUser({ role });
  return (await loginAs(user.email, password)).access;
}

const uniqueCode = () => `uji-${crypto.randomUUID().slice(0, 8)}`;

// Types made here are optional and sorted last, so they change neither which documents a
// profile needs for approval nor the order of the seeded types in other tests.
const newType = (code = uniqueCode()) => ({
  code,
  name: "Surat Uji",
  is_required: false,
  sort_order: 900,
  format: "pdf",
  allowed_extensions: ["pdf"],
  max_size_bytes: 1_048_576,
});

async function typeRow(code: string) {
  return withDatabase(async ({ db }) => {
    const [row] = await db.select().from(documentTypes).where(eq(documentTypes.code, code));
    return row;
  });
}

describe("GET /api/document-types/public/", () => {
  it("GET /api/document-types/public/ lists the seeded types in sort order with file specs", async () => {
    const response = await api("GET", "/api/document-types/public/");
    expect(response.status).toBe(200);
    expect(response.headers.get("ETag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(response.headers.get("Cache-Control")).toContain("public");
    const body = await readJson(response);
    const codes = body.data.map((type: { code: string }) => type.code);
    expect(codes.slice(0, 3)).toEqual(["ijasah", "sertifikat-keterampilan", "ijin-keluarga"]);
    const ktp = body.data.find((type: { code: string }) => type.code === "ktp");
    expect(ktp).toMatchObject({
      format: "image",
      allowed_extensions: ["jpg", "jpeg", "png"],
      max_size_bytes: 10_485_760,
      ocr: true,
      is_required: true,
    });
  });

  it("GET /api/document-types/public/ answers 304 for a matching If-None-Match", async () => {
    const first = await api("GET", "/api/document-types/public/");
    const etag = first.headers.get("ETag")!;
    await first.body?.cancel();

    const second = await api("GET", "/api/document-types/public/", {
      headers: { "If-None-Match": `W/"other", ${etag}` },
    });
    expect(second.status).toBe(304);
    expect(second.headers.get("ETag")).toBe(etag);
    expect(await second.text()).toBe("");
  });

  it("GET /api/document-types/public/ serves the body and ETag stored in KV", async () => {
    const fresh = await readJson(await api("GET", "/api/document-types/public/"));
    const marked = JSON.stringify({ ...fresh, detail: "dari KV" });
    await bindings.CACHE.put(PUBLIC_TYPES_CACHE_KEY, marked, { metadata: { etag: '"kv-test"' } });
    try {
      const response = await api("GET", "/api/document-types/public/");
      expect(response.headers.get("ETag")).toBe('"kv-test"');
      expect((await readJson(response)).detail).toBe("dari KV");
    } finally {
      await bindings.CACHE.delete(PUBLIC_TYPES_CACHE_KEY);
    }
  });
});

describe("admin document type endpoints", () => {
  it("POST /api/document-types/ creates a type and refreshes the public list at once", async () => {
    const admin = await tokenFor("ADMIN");
    const before = await api("GET", "/api/document-types/public/");
    const oldEtag = before.headers.get("ETag")!;
    await before.body?.cancel();

    const code = uniqueCode();
    const response = await api("POST", "/api/document-types/", {
      token: admin,
      json: newType(code),
    });
    expect(response.status).toBe(201);
    const created = await readJson(response);
    expect(created).toMatchObject({ code, is_required: false, ocr: false, description: "" });
    expect(created.created_at).toMatch(/\+07:00$/);

    const after = await api("GET", "/api/document-types/public/", {
      headers: { "If-None-Match": oldEtag },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get("ETag")).not.toBe(oldEtag);
    const codes = (await readJson(after)).data.map((type: { code: string }) => type.code);
    expect(codes).toContain(code);
  });

  it("PATCH /api/document-types/{id}/ changes a type and the public list shows it", async () => {
    const admin = await tokenFor("ADMIN");
    const code = uniqueCode();
    const created = await readJson(
      await api("POST", "/api/document-types/", { token: admin, json: newType(code) }),
    );
    await (await api("GET", "/api/document-types/public/")).body?.cancel();

    const response = await api("PATCH", `/api/document-types/${created.id}/`, {
      token: admin,
      json: { name: "Surat Uji Baru", max_size_bytes: 2048 },
    });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({
      name: "Surat Uji Baru",
      max_size_bytes: 2048,
    });

    const list = await readJson(await api("GET", "/api/document-types/public/"));
    const changed = list.data.find((type: { code: string }) => type.code === code);
    expect(changed.name).toBe("Surat Uji Baru");
  });

  it("GET /api/document-types/ pages the types for an admin", async () => {
    const admin = await tokenFor("ADMIN");
    const response = await api("GET", "/api/document-types/?page_size=5", { token: admin });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.results).toHaveLength(5);
    expect(body.count).toBeGreaterThanOrEqual(12);
    expect(body.next).toContain("page=2");
    expect(body.previous).toBeNull();

    const past = await api("GET", "/api/document-types/?page=9999", { token: admin });
    expect(past.status).toBe(404);
  });

  it("GET /api/document-types/{id}/ returns one type and 404 for an unknown or junk id", async () => {
    const admin = await tokenFor("ADMIN");
    const ktp = await typeRow("ktp");
    const found = await api("GET", `/api/document-types/${ktp!.id}/`, { token: admin });
    expect(found.status).toBe(200);
    expect((await readJson(found)).code).toBe("ktp");

    const missing = await api("GET", "/api/document-types/2000000000/", { token: admin });
    expect(missing.status).toBe(404);
    const junk = await api("GET", "/api/document-types/abc/", { token: admin });
    expect(junk.status).toBe(404);
  });

  it("admin document type endpoints answer 403 for staff, companies and applicants", async () => {
    for (const role of ["STAFF", "COMPANY", "APPLICANT"] as const) {
      const token = await tokenFor(role);
      const list = await api("GET", "/api/document-types/", { token });
      expect(list.status).toBe(403);
      const code = uniqueCode();
      const create = await api("POST", "/api/document-types/", { token, json: newType(code) });
      expect(create.status).toBe(403);
      expect(await typeRow(code)).toBeUndefined();
    }
    const anonymous = await api("GET", "/api/document-types/");
    expect(anonymous.status).toBe(401);
  });

  it("POST /api/document-types/ answers 400 for invalid specs and writes nothing", async () => {
    const admin = await tokenFor("ADMIN");
    const cases: [Record<string, unknown>, string][] = [
      [{ code: "Bukan Slug" }, "code"],
      [{ format: "doc" }, "format"],
      [{ allowed_extensions: ["jpg"] }, "allowed_extensions"],
      [{ allowed_extensions: [] }, "allowed_extensions"],
      [{ max_size_bytes: 0 }, "max_size_bytes"],
      [{ max_size_bytes: 500 * 1024 * 1024 }, "max_size_bytes"],
      [{ ocr: true }, "ocr"],
      [{ name: undefined }, "name"],
    ];
    for (const [change, field] of cases) {
      const body = { ...newType(), ...change };
      const response = await api("POST", "/api/document-types/", { token: admin, json: body });
      expect(response.status, JSON.stringify(change)).toBe(400);
      const error = await readJson(response);
      expect(error.code).toBe("validation_error");
      expect(Object.keys(error.errors)).toContain(field);
      if (typeof body.code === "string") expect(await typeRow(body.code)).toBeUndefined();
    }
  });

  it("POST /api/document-types/ answers 400 on code for a taken code", async () => {
    const admin = await tokenFor("ADMIN");
    const response = await api("POST", "/api/document-types/", {
      token: admin,
      json: newType("ktp"),
    });
    expect(response.status).toBe(400);
    expect((await readJson(response)).errors.code).toHaveLength(1);
  });

  it("PATCH /api/document-types/{id}/ rejects a format the extensions do not fit", async () => {
    const admin = await tokenFor("ADMIN");
    const code = uniqueCode();
    const created = await readJson(
      await api("POST", "/api/document-types/", { token: admin, json: newType(code) }),
    );
    const response = await api("PATCH", `/api/document-types/${created.id}/`, {
      token: admin,
      json: { format: "image" },
    });
    expect(response.status).toBe(400);
    expect((await readJson(response)).errors.allowed_extensions).toBeDefined();
    expect((await typeRow(code))!.format).toBe("pdf");

    const renamed = await api("PATCH", `/api/document-types/${created.id}/`, {
      token: admin,
      json: { code: `${code}-baru` },
    });
    expect(renamed.status).toBe(400);
    expect((await readJson(renamed)).errors.code).toBeDefined();
  });

  it("POST /api/document-types/ answers 400 for a NUL in name or description and writes nothing", async () => {
    const admin = await tokenFor("ADMIN");
    for (const change of [{ name: "Surat\u0000Uji" }, { description: "a\u0000b" }]) {
      const body = { ...newType(), ...change };
      const response = await api("POST", "/api/document-types/", { token: admin, json: body });
      expect(response.status, JSON.stringify(change)).toBe(400);
      expect((await readJson(response)).code).toBe("validation_error");
      expect(await typeRow(body.code)).toBeUndefined();
    }
  });
});
