import { eq } from "drizzle-orm";
import { districts, provinces, regencies, villages } from "../../src/db/schema";
import { withDatabase } from "./database";

export interface RegionChain {
  provinceId: number;
  regencyId: number;
  districtId: number;
  villageId: number;
  names: { province: string; regency: string; district: string; village: string };
}

/**
 * Inserts a province → regency → kecamatan → village chain under the unused province code
 * `provinceCode` (97–99), or reuses the one already there, so parallel tests share it. The
 * real data that the test set-up loads ends at province 96, so these codes never collide.
 */
export async function ensureRegionChain(provinceCode: "97" | "98" | "99"): Promise<RegionChain> {
  const names = {
    province: `PROVINSI UJI ${provinceCode}`,
    regency: `KABUPATEN UJI ${provinceCode}`,
    district: `KECAMATAN UJI ${provinceCode}`,
    village: `DESA UJI ${provinceCode}`,
  };
  return withDatabase(async ({ db }) => {
    await db
      .insert(provinces)
      .values({ code: provinceCode, name: names.province })
      .onConflictDoNothing();
    const [province] = await db.select().from(provinces).where(eq(provinces.code, provinceCode));
    const regencyCode = `${provinceCode}01`;
    await db
      .insert(regencies)
      .values({ code: regencyCode, provinceId: province!.id, name: names.regency })
      .onConflictDoNothing();
    const [regency] = await db.select().from(regencies).where(eq(regencies.code, regencyCode));
    const districtCode = `${regencyCode}01`;
    await db
      .insert(districts)
      .values({ code: districtCode, regencyId: regency!.id, name: names.district })
      .onConflictDoNothing();
    const [district] = await db.select().from(districts).where(eq(districts.code, districtCode));
    const villageCode = `${districtCode}0001`;
    await db
      .insert(villages)
      .values({ code: villageCode, districtId: district!.id, name: names.village })
      .onConflictDoNothing();
    const [village] = await db.select().from(villages).where(eq(villages.code, villageCode));
    return {
      provinceId: province!.id,
      regencyId: regency!.id,
      districtId: district!.id,
      villageId: village!.id,
      names,
    };
  });
}
