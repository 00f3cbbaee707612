import { createHash } from "node:crypto";
import postgres from "postgres";
import { type RegionData, type RegionRow, readRegionData } from "./regions-data";

type Level = keyof RegionData;
type Sql = postgres.Sql | postgres.TransactionSql;

/** Rows per INSERT: one JSON parameter of about 0.6 MB, far below any statement limit. */
const BATCH_ROWS = 10_000;

// One fixed statement per level. The rows arrive as one JSON array parameter, so a batch costs
// one round trip whatever its size, and the parent's id is looked up by its code in the same
// statement. `is distinct from` skips rows that would not change, so a repeat load writes nothing.
const UPSERTS: Record<Level, string> = {
  provinces: `
    insert into provinces (code, name)
    select r.code, r.name from json_to_recordset($1::text::json) as r(code text, name text)
    on conflict (code) do update set name = excluded.name
    where provinces.name is distinct from excluded.name`,
  regencies: upsertWithParent("regencies", "provinces", "province_id"),
  districts: upsertWithParent("districts", "regencies", "regency_id"),
  villages: upsertWithParent("villages", "districts", "district_id"),
};

function upsertWithParent(table: Level, parentTable: Level, parentColumn: string): string {
  return `
    insert into ${table} (code, ${parentColumn}, name)
    select r.code, parent.id, r.name
    from json_to_recordset($1::text::json) as r(code text, parent text, name text)
    join ${parentTable} parent on parent.code = r.parent
    on conflict (code) do update
      set ${parentColumn} = excluded.${parentColumn}, name = excluded.name
    where (${table}.${parentColumn}, ${table}.name)
      is distinct from (excluded.${parentColumn}, excluded.name)`;
}

export interface RegionSeedResult {
  /** True when the database already held exactly the package's rows, so nothing was written. */
  upToDate: boolean;
  counts: Record<Level, number>;
  durationMs: number;
}

/**
 * Loads every province, regency, kecamatan and village of the region data package into the
 * database at `url`, in one transaction of multi-row upserts keyed by code. Skips the writes
 * when a row count and digest per level show the data is already there, so dev start-up and
 * test set-up can call it every time. Rows under province codes the package lacks (test rows
 * under 97–99) are neither compared nor touched.
 *
 * NOTE: rows whose codes a newer package drops are kept, because applicant profiles may
 * point at them. Until a migration retires them, the digest never matches, so every start
 * repeats the upserts (about 1.5 s) although they write nothing.
 */
export async function seedRegions(url: string): Promise<RegionSeedResult> {
  const started = performance.now();
  const data = await readRegionData();
  // max 1 and unnamed statements, for the single shared backend of the embedded server.
  const client = postgres(url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    const upToDate = await matchesDatabase(client, data);
    if (!upToDate) {
      await client.begin(async (transaction) => {
        for (const level of LEVELS) await upsertLevel(transaction, level, data[level]);
      });
    }
    const counts = Object.fromEntries(LEVELS.map((level) => [level, data[level].length]));
    const durationMs = Math.round(performance.now() - started);
    return { upToDate, counts: counts as Record<Level, number>, durationMs };
  } finally {
    await client.end({ timeout: 5 });
  }
}

const LEVELS: readonly Level[] = ["provinces", "regencies", "districts", "villages"];

async function upsertLevel(sql: Sql, level: Level, rows: RegionRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = rows.slice(start, start + BATCH_ROWS);
    await sql.unsafe(UPSERTS[level], [JSON.stringify(batch)]);
  }
}

/**
 * Compares the row count and an MD5 digest of `code name` lines per level with the package.
 * Codes embed their parent's code, so the digest covers the hierarchy too. Only rows under the
 * package's province codes count, so test rows under 97–99 do not force a reload.
 */
async function matchesDatabase(sql: Sql, data: RegionData): Promise<boolean> {
  const provinceCodes = JSON.stringify(data.provinces.map((row) => row.code));
  for (const level of LEVELS) {
    const [stored] = await sql.unsafe<{ rows: number; digest: string }[]>(
      `select count(*)::int as rows,
         md5(coalesce(string_agg(code || ' ' || name, E'\\n' order by code), '')) as digest
       from ${level}
       where left(code, 2) in (select json_array_elements_text($1::text::json))`,
      [provinceCodes],
    );
    if (stored?.rows !== data[level].length || stored.digest !== digest(data[level])) return false;
  }
  return true;
}

function digest(rows: RegionRow[]): string {
  const sorted = rows.map((row) => `${row.code} ${row.name}`).sort();
  return createHash("md5").update(sorted.join("\n")).digest("hex");
}

/** Formats a result as one log line, e.g. "regions loaded: 38 provinces, … (1600 ms)". */
export function describeRegionSeed(result: RegionSeedResult): string {
  const counts = LEVELS.map((level) => `${result.counts[level]} ${level}`).join(", ");
  const state = result.upToDate ? "regions already loaded" : "regions loaded";
  return `${state}: ${counts} (${result.durationMs} ms)`;
}
