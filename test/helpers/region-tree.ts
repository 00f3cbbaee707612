import { eq } from "drizzle-orm";
import { onTestFinished } from "vitest";
import { districts, provinces, regencies, villages } from "../../src/db/schema";
import { withDatabase } from "./database";
import { ensureRegionChain } from "./regions";

export interface TreeRegion {
  id: number;
  code: string;
  name: string;
}

export interface RegionTree {
  /** Random upper-case letters in every name of the tree, so `?search=token` finds only it. */
  token: string;
  province: TreeRegion;
  regency: TreeRegion;
  district: TreeRegion;
  /** Ordered by code, one per requested name. */
  villages: TreeRegion[];
}

const TEST_PROVINCE_CODES = ["97", "98", "99"] as const;
const CODE_ATTEMPTS = 20;

/**
 * Inserts a fresh regency, one kecamatan and its villages under a test province (97–99), all
 * named with a random token, and deletes them when the current test ends. Village names are
 * `<name> <token>`. Regency codes are picked at random and retried on a collision, because
 * parallel test files share the database.
 */
export async function createRegionTree(villageNames = ["DESA SATU"]): Promise<RegionTree> {
  const token = randomToken();
  const provinceCode = TEST_PROVINCE_CODES[Math.floor(Math.random() * 3)]!;
  const chain = await ensureRegionChain(provinceCode);
  const tree = await withDatabase(async ({ db }) => {
    const [province] = await db.select().from(provinces).where(eq(provinces.id, chain.provinceId));
    const regency = await insertRegency(provinceCode, chain.provinceId, token);
    const [district] = await db
      .insert(districts)
      .values({ code: `${regency.code}01`, regencyId: regency.id, name: `KECAMATAN ${token}` })
      .returning();
    const rows = villageNames.map((name, index) => ({
      code: `${district!.code}${String(index + 1).padStart(4, "0")}`,
      districtId: district!.id,
      name: `${name} ${token}`,
    }));
    const inserted = rows.length > 0 ? await db.insert(villages).values(rows).returning() : [];
    return {
      token,
      province: pick(province!),
      regency,
      district: pick(district!),
      villages: inserted.map(pick).sort((a, b) => a.code.localeCompare(b.code)),
    };
  });
  onTestFinished(() => removeRegionTree(tree));
  return tree;
}

async function insertRegency(provinceCode: string, provinceId: number, token: string) {
  return withDatabase(async ({ db }) => {
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      // Suffix 01 belongs to the shared chain of ensureRegionChain.
      const suffix = String(2 + Math.floor(Math.random() * 98)).padStart(2, "0");
      const [regency] = await db
        .insert(regencies)
        .values({ code: `${provinceCode}${suffix}`, provinceId, name: `KABUPATEN ${token}` })
        .onConflictDoNothing()
        .returning();
      if (regency) return pick(regency);
    }
    throw new Error(`no free regency code under province ${provinceCode}`);
  });
}

/** Deletes the tree's villages (including any a test added), kecamatan and regency. */
async function removeRegionTree(tree: RegionTree): Promise<void> {
  await withDatabase(async ({ db }) => {
    await db.delete(villages).where(eq(villages.districtId, tree.district.id));
    await db.delete(districts).where(eq(districts.id, tree.district.id));
    await db.delete(regencies).where(eq(regencies.id, tree.regency.id));
  });
}

function pick(row: TreeRegion): TreeRegion {
  return { id: row.id, code: row.code, name: row.name };
}

function randomToken(): string {
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return Array.from(bytes, (byte) => letters[byte % letters.length]).join("");
}
