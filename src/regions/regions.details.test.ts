import { describe, expect, it } from "vitest";
import { api, readJson } from "../../test/helpers/http";
import { createRegionTree } from "../../test/helpers/region-tree";

describe("GET /api/{level}/{id}/", () => {
  it("GET /api/provinces/{id}/ returns the province", async () => {
    const tree = await createRegionTree();
    const response = await api("GET", `/api/provinces/${tree.province.id}/`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual(tree.province);
  });

  it("GET /api/regencies/{id}/ returns the regency with its province id", async () => {
    const tree = await createRegionTree();
    const response = await api("GET", `/api/regencies/${tree.regency.id}/`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ ...tree.regency, province: tree.province.id });
  });

  it("GET /api/districts/{id}/ returns the kecamatan with its regency id", async () => {
    const tree = await createRegionTree();
    const response = await api("GET", `/api/districts/${tree.district.id}`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ ...tree.district, regency: tree.regency.id });
  });

  it("GET /api/villages/{id}/ adds the names of its parents", async () => {
    const tree = await createRegionTree(["DESA DETAIL"]);
    const village = tree.villages[0]!;
    const response = await api("GET", `/api/villages/${village.id}/`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({
      ...village,
      district: tree.district.id,
      district_name: tree.district.name,
      regency_name: tree.regency.name,
      province_name: tree.province.name,
    });
  });

  it.each(["provinces", "regencies", "districts", "villages"])(
    "GET /api/%s/{id}/ answers 404 not_found for an unknown id",
    async (level) => {
      const response = await api("GET", `/api/${level}/2147483647/`);
      expect(response.status).toBe(404);
      const body = await readJson(response);
      expect(body.code).toBe("not_found");
      expect(body.request_id).toEqual(expect.any(String));
      expect(response.headers.get("Cache-Control") ?? "").not.toContain("public");
    },
  );

  it.each([
    ["provinces", "abc"],
    ["regencies", "0"],
    ["districts", "1e3"],
    ["districts", "0x1f"],
    ["villages", "99999999999"],
    ["provinces", "011"],
  ])("GET /api/%s/%s/ answers 404 not_found for a junk id", async (level, id) => {
    const response = await api("GET", `/api/${level}/${id}/`);
    expect(response.status).toBe(404);
    const body = await readJson(response);
    expect(body.code).toBe("not_found");
  });
});
