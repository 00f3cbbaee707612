import { and, asc, eq, ilike, type SQL } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Database } from "../db/client";
import { districts, provinces, regencies, villages } from "../db/schema";
import { notFound, validationError } from "../lib/errors";
import type { Province, VillageDetail } from "./regions.schemas";

export type RegionLevel = "provinces" | "regencies" | "districts" | "villages";
export type ChildLevel = Exclude<RegionLevel, "provinces">;

/** A list query after normalisation. It also forms the KV cache key, so equal queries share one. */
export interface RegionListFilter {
  parentId?: number;
  /** Unique upper-case search terms, sorted; every one must occur in the name. */
  terms: string[];
}

/** A regency, kecamatan or village with the id of the area one level up. */
export interface ChildRegion {
  id: number;
  code: string;
  name: string;
  parentId: number;
}

interface ChildLevelTables {
  table: PgTable;
  id: AnyPgColumn;
  code: AnyPgColumn;
  name: AnyPgColumn;
  parentId: AnyPgColumn;
  parentTable: PgTable;
  parentTableId: AnyPgColumn;
  /** Query parameter that filters by parent, and the message when its id does not exist. */
  filterField: string;
  unknownParent: string;
}

const CHILD_LEVELS: Record<ChildLevel, ChildLevelTables> = {
  regencies: {
    table: regencies,
    ...regionColumns(regencies, regencies.provinceId),
    parentTable: provinces,
    parentTableId: provinces.id,
    filterField: "province_id",
    unknownParent: "Provinsi dengan ID ini tidak ditemukan.",
  },
  districts: {
    table: districts,
    ...regionColumns(districts, districts.regencyId),
    parentTable: regencies,
    parentTableId: regencies.id,
    filterField: "regency_id",
    unknownParent: "Kabupaten/kota dengan ID ini tidak ditemukan.",
  },
  villages: {
    table: villages,
    ...regionColumns(villages, villages.districtId),
    parentTable: districts,
    parentTableId: districts.id,
    filterField: "district_id",
    unknownParent: "Kecamatan dengan ID ini tidak ditemukan.",
  },
};

function regionColumns(
  table: { id: AnyPgColumn; code: AnyPgColumn; name: AnyPgColumn },
  parentId: AnyPgColumn,
) {
  return { id: table.id, code: table.code, name: table.name, parentId };
}

/** Splits `?search=` into unique upper-case terms, sorted so that word order does not matter. */
export function searchTerms(search: string | undefined): string[] {
  const terms = (search ?? "").toUpperCase().split(/\s+/).filter(Boolean);
  return [...new Set(terms)].sort();
}

/** Lists provinces whose names contain every search term, ordered by name. */
export async function listProvinces(db: Database, filter: RegionListFilter): Promise<Province[]> {
  return db
    .select({ id: provinces.id, code: provinces.code, name: provinces.name })
    .from(provinces)
    .where(nameContainsAll(provinces.name, filter.terms))
    .orderBy(asc(provinces.name), asc(provinces.code));
}

/**
 * Lists the regencies, kecamatan or villages that match `filter`, ordered by name. Raises a 400
 * on the filter field when the parent id does not exist. That check runs only after an empty
 * result, so a normal list costs one query.
 */
export async function listChildRegions(
  db: Database,
  level: ChildLevel,
  filter: RegionListFilter,
): Promise<ChildRegion[]> {
  const tables = CHILD_LEVELS[level];
  const conditions = [nameContainsAll(tables.name, filter.terms)];
  if (filter.parentId !== undefined) conditions.push(eq(tables.parentId, filter.parentId));

  const rows = (await db
    .select({ id: tables.id, code: tables.code, name: tables.name, parentId: tables.parentId })
    .from(tables.table)
    .where(and(...conditions))
    .orderBy(asc(tables.name), asc(tables.code))) as ChildRegion[];

  if (rows.length === 0 && filter.parentId !== undefined) {
    await requireParent(db, tables, filter.parentId);
  }
  return rows;
}

async function requireParent(db: Database, tables: ChildLevelTables, parentId: number) {
  const [parent] = await db
    .select({ id: tables.parentTableId })
    .from(tables.parentTable)
    .where(eq(tables.parentTableId, parentId));
  if (!parent) throw validationError({ [tables.filterField]: [tables.unknownParent] });
}

/** Loads one province; raises 404 `not_found` for an unknown id. */
export async function getProvince(db: Database, id: number): Promise<Province> {
  const [row] = await db
    .select({ id: provinces.id, code: provinces.code, name: provinces.name })
    .from(provinces)
    .where(eq(provinces.id, id));
  if (!row) throw notFound("Provinsi tidak ditemukan.");
  return row;
}

const NOT_FOUND_MESSAGES: Record<ChildLevel, string> = {
  regencies: "Kabupaten/kota tidak ditemukan.",
  districts: "Kecamatan tidak ditemukan.",
  villages: "Desa/kelurahan tidak ditemukan.",
};

/** Loads one regency or kecamatan with its parent id; raises 404 `not_found` for an unknown id. */
export async function getChildRegion(
  db: Database,
  level: Exclude<ChildLevel, "villages">,
  id: number,
): Promise<ChildRegion> {
  const tables = CHILD_LEVELS[level];
  const [row] = (await db
    .select({ id: tables.id, code: tables.code, name: tables.name, parentId: tables.parentId })
    .from(tables.table)
    .where(eq(tables.id, id))) as ChildRegion[];
  if (!row) throw notFound(NOT_FOUND_MESSAGES[level]);
  return row;
}

/** Loads one village with the names of its kecamatan, regency and province in one query. */
export async function getVillageDetail(db: Database, id: number): Promise<VillageDetail> {
  const [row] = await db
    .select({
      id: villages.id,
      code: villages.code,
      name: villages.name,
      district: villages.districtId,
      district_name: districts.name,
      regency_name: regencies.name,
      province_name: provinces.name,
    })
    .from(villages)
    .innerJoin(districts, eq(districts.id, villages.districtId))
    .innerJoin(regencies, eq(regencies.id, districts.regencyId))
    .innerJoin(provinces, eq(provinces.id, regencies.provinceId))
    .where(eq(villages.id, id));
  if (!row) throw notFound(NOT_FOUND_MESSAGES.villages);
  return row;
}

/** ANDs one `ILIKE '%term%'` per term; LIKE wildcards typed by the user match literally. */
function nameContainsAll(column: AnyPgColumn, terms: string[]): SQL | undefined {
  const conditions = terms.map((term) => ilike(column, `%${term.replace(/[\\%_]/g, "\\$&")}%`));
  return and(...conditions);
}
