import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { queryRows } from "../auth/sessions.service";
import { districts, provinces } from "../db/schema";

// The test set-up loads the full idn-area-data set, as `npm run dev` does; these tests read it.

const TABLES = { provinces, districts };

async function idOf(table: keyof typeof TABLES, code: string): Promise<number> {
  const source = TABLES[table];
  const [row] = await withDatabase(({ db }) =>
    db.select({ id: source.id }).from(source).where(eq(source.code, code)),
  );
  return row!.id;
}

describe("loaded region data", () => {
  it("holds every level of the package, with codes under their parents' codes", async () => {
    const rows = await withDatabase(({ db }) =>
      queryRows<{ level: string; total: number; misplaced: number }>(
        db,
        sql`
        select 'provinces' as level, count(*)::int as total, 0 as misplaced
          from provinces where code < '97'
        union all
        select 'regencies', count(*)::int, count(*) filter (where left(r.code, 2) <> p.code)::int
          from regencies r join provinces p on p.id = r.province_id where r.code < '97'
        union all
        select 'districts', count(*)::int, count(*) filter (where left(d.code, 4) <> r.code)::int
          from districts d join regencies r on r.id = d.regency_id where d.code < '97'
        union all
        select 'villages', count(*)::int, count(*) filter (where left(v.code, 6) <> d.code)::int
          from villages v join districts d on d.id = v.district_id where v.code < '97'`,
      ),
    );
    expect(rows).toEqual([
      { level: "provinces", total: 38, misplaced: 0 },
      { level: "regencies", total: 514, misplaced: 0 },
      { level: "districts", total: 7285, misplaced: 0 },
      { level: "villages", total: 83762, misplaced: 0 },
    ]);
  });

  it("GET /api/provinces/ lists the real provinces by name", async () => {
    const response = await api("GET", "/api/provinces/");
    expect(response.status).toBe(200);
    const body: { code: string; name: string }[] = await readJson(response);
    const real = body.filter((province) => province.code < "97");
    expect(real).toHaveLength(38);
    expect(real[0]).toEqual({ id: expect.any(Number), code: "11", name: "ACEH" });
    const names = body.map((province) => province.name);
    expect(names).toEqual([...names].sort());
  });

  it("GET /api/regencies/?province_id= lists the six of DKI Jakarta", async () => {
    const jakarta = await idOf("provinces", "31");
    const response = await api("GET", `/api/regencies/?province_id=${jakarta}`);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.map((regency: { code: string }) => regency.code)).toEqual([
      "3101",
      "3173",
      "3171",
      "3174",
      "3175",
      "3172",
    ]);
    expect(body[0]).toEqual({
      id: expect.any(Number),
      code: "3101",
      name: "KABUPATEN ADMINISTRASI KEPULAUAN SERIBU",
      province: jakarta,
    });
  });

  it("GET /api/villages/?district_id= lists the seven of Bakongan", async () => {
    const bakongan = await idOf("districts", "110101");
    const response = await api("GET", `/api/villages/?district_id=${bakongan}`);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body).toHaveLength(7);
    expect(body).toContainEqual({
      id: expect.any(Number),
      code: "1101012001",
      name: "KEUDE BAKONGAN",
      district: bakongan,
    });
  });

  it("GET /api/villages/?search= finds a village across Indonesia by its name", async () => {
    const response = await api("GET", "/api/villages/?search=keude%20bakongan");
    expect(response.status).toBe(200);
    const [village] = await readJson(response);
    const detail = await readJson(await api("GET", `/api/villages/${village.id}/`));
    expect(detail).toEqual({
      id: village.id,
      code: "1101012001",
      name: "KEUDE BAKONGAN",
      district: await idOf("districts", "110101"),
      district_name: "BAKONGAN",
      regency_name: "KABUPATEN ACEH SELATAN",
      province_name: "ACEH",
    });
  });
});
