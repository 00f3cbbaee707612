import { describe, expect, it } from "vitest";
import { api, readJson } from "../../test/helpers/http";
import { createRegionTree } from "../../test/helpers/region-tree";

describe("GET /api/provinces/", () => {
  it("lists provinces matching a search, ordered by name", async () => {
    const tree = await createRegionTree();
    const response = await api("GET", `/api/provinces/?search=${tree.province.name}`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([tree.province]);
  });

  it("answers without the trailing slash", async () => {
    const response = await api("GET", "/api/provinces?search=aceh");
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([expect.objectContaining({ code: "11" })]);
  });

  it("answers 400 for a search longer than 100 characters", async () => {
    const response = await api("GET", `/api/provinces/?search=${"A".repeat(101)}`);
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe("validation_error");
    expect(body.errors.search).toHaveLength(1);
  });

  it("answers 405 for POST", async () => {
    const response = await api("POST", "/api/provinces/", { json: { name: "X" } });
    expect(response.status).toBe(405);
    expect((await readJson(response)).code).toBe("method_not_allowed");
  });
});

describe("GET /api/regencies/", () => {
  it("filters by province_id and search", async () => {
    const tree = await createRegionTree();
    const path = `/api/regencies/?province_id=${tree.province.id}&search=${tree.token}`;
    const response = await api("GET", path);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([{ ...tree.regency, province: tree.province.id }]);
  });

  it("returns nothing for a search that only another province matches", async () => {
    const tree = await createRegionTree();
    const aceh = await readJson(await api("GET", "/api/provinces/?search=aceh"));
    const path = `/api/regencies/?province_id=${aceh[0].id}&search=${tree.token}`;
    const response = await api("GET", path);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([]);
  });

  it("treats an empty province_id as no filter", async () => {
    const tree = await createRegionTree();
    const response = await api("GET", `/api/regencies/?province_id=&search=${tree.token}`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([{ ...tree.regency, province: tree.province.id }]);
  });

  it.each(["abc", "0", "-3", "1.5", "1e3", "2147483648"])(
    "answers 400 for province_id=%s",
    async (value) => {
      const response = await api("GET", `/api/regencies/?province_id=${value}`);
      expect(response.status).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("validation_error");
      expect(body.errors.province_id).toHaveLength(1);
    },
  );

  it("answers 400 naming province_id when the province does not exist", async () => {
    const response = await api("GET", "/api/regencies/?province_id=2147483647");
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe("validation_error");
    expect(body.errors).toEqual({ province_id: ["Provinsi dengan ID ini tidak ditemukan."] });
  });
});

describe("GET /api/districts/", () => {
  it("filters by regency_id", async () => {
    const tree = await createRegionTree();
    const response = await api("GET", `/api/districts/?regency_id=${tree.regency.id}`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([{ ...tree.district, regency: tree.regency.id }]);
  });

  it("searches every regency when regency_id is absent", async () => {
    const tree = await createRegionTree();
    const response = await api("GET", `/api/districts/?search=kecamatan%20${tree.token}`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([{ ...tree.district, regency: tree.regency.id }]);
  });

  it("answers 400 naming regency_id for an unknown or malformed id", async () => {
    for (const value of ["2147483647", "x1"]) {
      const response = await api("GET", `/api/districts/?regency_id=${value}`);
      expect(response.status).toBe(400);
      expect(Object.keys((await readJson(response)).errors)).toEqual(["regency_id"]);
    }
  });
});

describe("GET /api/villages/", () => {
  it("lists the villages of a kecamatan ordered by name", async () => {
    const tree = await createRegionTree(["SUKAMAJU", "CIKARANG", "BOJONG"]);
    const response = await api("GET", `/api/villages/?district_id=${tree.district.id}`);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.map((village: { name: string }) => village.name)).toEqual([
      `BOJONG ${tree.token}`,
      `CIKARANG ${tree.token}`,
      `SUKAMAJU ${tree.token}`,
    ]);
    expect(body[0]).toEqual({
      id: tree.villages[2]!.id,
      code: tree.villages[2]!.code,
      name: `BOJONG ${tree.token}`,
      district: tree.district.id,
    });
  });

  it("ANDs space-separated search terms, ignoring case and order", async () => {
    const tree = await createRegionTree(["SUKA MAJU", "SUKA DAMAI", "MAJU JAYA"]);
    const response = await api("GET", `/api/villages/?search=maju%20${tree.token}%20suka`);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.map((village: { name: string }) => village.name)).toEqual([
      `SUKA MAJU ${tree.token}`,
    ]);
  });

  it("combines district_id with a search", async () => {
    const tree = await createRegionTree(["SUKA MAJU", "SUKA DAMAI"]);
    const path = `/api/villages/?district_id=${tree.district.id}&search=damai`;
    const body = await readJson(await api("GET", path));
    expect(body.map((village: { name: string }) => village.name)).toEqual([
      `SUKA DAMAI ${tree.token}`,
    ]);
  });

  it("matches LIKE wildcards in a search literally", async () => {
    const tree = await createRegionTree(["DESA A"]);
    // Unescaped, "%_" would match every name.
    const search = encodeURIComponent("%_");
    const response = await api(
      "GET",
      `/api/villages/?district_id=${tree.district.id}&search=${search}`,
    );
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([]);
  });

  it("answers 400 naming district_id and search without either", async () => {
    const response = await api("GET", "/api/villages/");
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe("validation_error");
    expect(Object.keys(body.errors).sort()).toEqual(["district_id", "search"]);
  });

  it.each(["ab", "%20ab%20%20"])("answers 400 for the short search %s", async (search) => {
    const response = await api("GET", `/api/villages/?search=${search}`);
    expect(response.status).toBe(400);
    expect(Object.keys((await readJson(response)).errors).sort()).toEqual([
      "district_id",
      "search",
    ]);
  });

  it("answers 400 naming district_id when the kecamatan does not exist", async () => {
    const response = await api("GET", "/api/villages/?district_id=2147483647");
    expect(response.status).toBe(400);
    expect((await readJson(response)).errors).toEqual({
      district_id: ["Kecamatan dengan ID ini tidak ditemukan."],
    });
  });

  it("returns an empty array for a kecamatan without villages", async () => {
    const tree = await createRegionTree([]);
    const response = await api("GET", `/api/villages/?district_id=${tree.district.id}`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual([]);
  });
});

describe("GET /api/schema/", () => {
  it("documents every region endpoint with its query parameters", async () => {
    const document = await readJson(await api("GET", "/api/schema/"));
    for (const level of ["provinces", "regencies", "districts", "villages"]) {
      expect(document.paths[`/api/${level}/`].get).toBeDefined();
      expect(document.paths[`/api/${level}/{id}/`].get).toBeDefined();
    }
    const villageQuery = document.paths["/api/villages/"].get.parameters.map(
      (parameter: { name: string }) => parameter.name,
    );
    expect(villageQuery.sort()).toEqual(["district_id", "search"]);
  });
});
