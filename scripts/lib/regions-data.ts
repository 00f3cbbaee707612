import { createRequire } from "node:module";
import { getDistricts, getProvinces, getRegencies, getVillages } from "idn-area-data";
import { REGION_DATA_PACKAGE, REGION_DATA_VERSION } from "../../src/regions/region-data-version";

/** One area as the loader stores it: the code without dots and the upper-case name. */
export interface RegionRow {
  code: string;
  /** Code of the area one level up, absent for provinces. */
  parent?: string;
  name: string;
}

export interface RegionData {
  provinces: RegionRow[];
  regencies: RegionRow[];
  districts: RegionRow[];
  villages: RegionRow[];
}

/** Number of digits of a code at each level, after the dots are removed. */
const CODE_LENGTHS = { provinces: 2, regencies: 4, districts: 6, villages: 10 } as const;

/**
 * Reads the four levels of Kemendagri areas from the `idn-area-data` package, normalises
 * codes and names, and checks that every code has its level's length and that every parent
 * exists. Throws when the installed package is not the version that REGION_DATA_VERSION names.
 */
export async function readRegionData(): Promise<RegionData> {
  checkInstalledVersion();
  const [provinces, regencies, districts, villages] = await Promise.all([
    getProvinces(),
    getRegencies(),
    getDistricts(),
    getVillages(),
  ]);
  const data: RegionData = {
    provinces: provinces.map((row) => normalize(row.code, undefined, row.name)),
    regencies: regencies.map((row) => normalize(row.code, row.province_code, row.name)),
    districts: districts.map((row) => normalize(row.code, row.regency_code, row.name)),
    villages: villages.map((row) => normalize(row.code, row.district_code, row.name)),
  };
  checkCodes(data);
  return data;
}

function checkInstalledVersion(): void {
  const require = createRequire(import.meta.url);
  const { version } = require(`${REGION_DATA_PACKAGE}/package.json`) as { version: string };
  if (version !== REGION_DATA_VERSION) {
    throw new Error(
      `${REGION_DATA_PACKAGE} ${version} is installed but REGION_DATA_VERSION is ` +
        `${REGION_DATA_VERSION}; run npm ci, or update src/regions/region-data-version.ts ` +
        "together with package.json",
    );
  }
}

function normalize(code: string, parent: string | undefined, name: string): RegionRow {
  const row: RegionRow = {
    code: code.replaceAll(".", ""),
    // The package writes names in title case; the API has always served them upper-case.
    name: name.trim().replace(/\s+/g, " ").toUpperCase(),
  };
  if (parent !== undefined) row.parent = parent.replaceAll(".", "");
  return row;
}

/** Checks lengths, duplicates and parents. A code is its parent's code plus digits. */
function checkCodes(data: RegionData): void {
  let parents = new Set<string>();
  for (const level of ["provinces", "regencies", "districts", "villages"] as const) {
    const codes = new Set<string>();
    const codePattern = new RegExp(`^\\d{${CODE_LENGTHS[level]}}$`);
    for (const row of data[level]) {
      const validCode = codePattern.test(row.code);
      const validParent = level === "provinces" || parents.has(row.parent ?? "");
      if (!validCode || !validParent || !row.code.startsWith(row.parent ?? "") || !row.name) {
        throw new Error(`${REGION_DATA_PACKAGE}: invalid ${level} row with code "${row.code}"`);
      }
      if (codes.has(row.code)) {
        throw new Error(`${REGION_DATA_PACKAGE}: duplicate ${level} code "${row.code}"`);
      }
      codes.add(row.code);
    }
    parents = codes;
  }
}
