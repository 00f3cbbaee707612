import { env as testEnv } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { createRegionTree } from "../../test/helpers/region-tree";
import { villages } from "../db/schema";
import type { Bindings } from "../env";
import { REGION_CACHE_CONTROL, regionListCacheKey } from "./regions.cache";

const env = testEnv as unknown as Bindings;

/** Waits for the KV write that the Worker makes after sending the response. */
async function waitForCacheEntry(key: string): Promise<string> {
  return vi.waitFor(
    async () => {
      const value = await env.CACHE.get(key);
      if (value === null) throw new Error(`no KV entry under ${key}`);
      return value;
    },
    { timeout: 5_000, interval: 20 },
  );
}

describe("region list caching", () => {
  it("GET /api/villages/ serves repeats from KV", async () => {
    const tree = await createRegionTree(["DESA LAMA"]);
    const path = `/api/villages/?district_id=${tree.district.id}`;
    const first = await api("GET", path);
    expect(first.status).toBe(200);
    const firstBody = await readJson(first);

    const key = regionListCacheKey("villages", { parentId: tree.district.id, terms: [] });
    expect(JSON.parse(await waitForCacheEntry(key))).toEqual(firstBody);

    // The second response comes from KV, so a rename in the database stays unseen.
    await withDatabase(({ db }) =>
      db.update(villages).set({ name: "DESA BARU" }).where(eq(villages.id, tree.villages[0]!.id)),
    );
    const second = await api("GET", path);
    expect(second.status).toBe(200);
    expect(await readJson(second)).toEqual(firstBody);
  });

  it("GET /api/provinces/ returns a KV entry as it is", async () => {
    const token = crypto.randomUUID().slice(0, 8).toUpperCase();
    const key = regionListCacheKey("provinces", { terms: [token] });
    await env.CACHE.put(key, JSON.stringify([{ id: -1, code: "00", name: "FROM KV" }]));

    const response = await api("GET", `/api/provinces/?search=${token.toLowerCase()}`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([{ id: -1, code: "00", name: "FROM KV" }]);
  });

  it("GET /api/regencies/ shares one KV entry for reordered and repeated terms", async () => {
    const tree = await createRegionTree();
    const first = await api("GET", `/api/regencies/?search=kabupaten%20${tree.token}`);
    expect(first.status).toBe(200);
    const key = regionListCacheKey("regencies", { terms: ["KABUPATEN", tree.token].sort() });
    await waitForCacheEntry(key);

    await env.CACHE.put(key, "[]");
    const path = `/api/regencies/?search=${tree.token.toLowerCase()}%20%20KABUPATEN%20kabupaten`;
    expect(await readJson(await api("GET", path))).toEqual([]);
  });

  it("GET /api/regencies/ stores nothing in KV for an unknown province_id", async () => {
    const response = await api("GET", "/api/regencies/?province_id=2147483646");
    expect(response.status).toBe(400);
    const key = regionListCacheKey("regencies", { parentId: 2147483646, terms: [] });
    // A KV write would happen after the response, so give a wrong one time to appear.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await env.CACHE.get(key)).toBeNull();
  });

  it("GET /api/villages/ answers a search too long for a KV key", async () => {
    const response = await api("GET", `/api/villages/?search=${"ΐ".repeat(100)}`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([]);
  });

  it("GET lists and details send a public Cache-Control header", async () => {
    const tree = await createRegionTree();
    for (const path of [
      `/api/districts/?regency_id=${tree.regency.id}`,
      `/api/villages/${tree.villages[0]!.id}/`,
      `/api/provinces/${tree.province.id}/`,
    ]) {
      const response = await api("GET", path);
      expect(response.status).toBe(200);
      expect(response.headers.get("Cache-Control")).toBe(REGION_CACHE_CONTROL);
      expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
      expect(response.headers.get("X-Request-ID")).toEqual(expect.any(String));
    }
  });

  it("GET /api/villages/ sends no public Cache-Control with a 400", async () => {
    const response = await api("GET", "/api/villages/?search=ab");
    expect(response.status).toBe(400);
    expect(response.headers.get("Cache-Control") ?? "").not.toContain("public");
  });
});
