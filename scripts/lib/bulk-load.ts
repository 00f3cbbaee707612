// Bulk loading for `npm run seed:scale`: rows go in through COPY … FROM STDIN where the server
// accepts it, else through multi-row INSERTs, and secondary indexes are dropped before the load
// and recreated from their own definitions afterwards.
import { getTableColumns } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import type postgres from "postgres";

type Sql = postgres.Sql | postgres.TransactionSql;
type Row = Record<string, unknown>;

// Rows per INSERT where COPY is missing: a few megabytes of JSON per statement.
const JSON_ROWS_PER_STATEMENT = 5000;

/**
 * Checks whether this server takes COPY FROM STDIN. The embedded PGlite server (0.5) does not, and
 * trying it loses protocol synchronisation on its single shared backend, so the version
 * string decides instead of a trial COPY.
 */
export async function supportsCopyFromStdin(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ version: string }[]>`select version() as version`;
  return !row?.version.includes("PGlite");
}

/**
 * Writes rows of a drizzle table, given with the table's property names. Every NOT NULL
 * column must have a value, because neither COPY nor a multi-row INSERT can ask for the
 * column default row by row. A missing nullable value is written as NULL.
 */
export async function writeRows(
  sql: Sql,
  table: PgTable,
  rows: Row[],
  useCopy: boolean,
): Promise<void> {
  if (rows.length === 0) return;
  const name = getTableConfig(table).name;
  const columns = Object.entries(getTableColumns(table));
  for (const row of rows) {
    for (const [key, column] of columns) {
      if ((row[key] === undefined || row[key] === null) && column.notNull) {
        throw new Error(`bulk row for ${name} has no value for NOT NULL column ${column.name}`);
      }
    }
  }
  const names = columns.map(([, column]) => column.name);
  if (useCopy) {
    const lines = rows.map((row) => copyLine(columns.map(([key]) => toText(row[key]))));
    await writeCopy(sql, name, names, lines);
  } else {
    await writeJsonInserts(sql, name, columns, rows);
  }
}

/** Renders a value in Postgres text input form, or null for NULL. */
function toText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "boolean") return value ? "t" : "f";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Renders one line of COPY text format: tab-separated, `\N` for NULL, backslash escapes. */
function copyLine(values: (string | null)[]): string {
  const fields = values.map((value) =>
    value === null
      ? "\\N"
      : value.replace(/[\\\t\n\r]/g, (character) => COPY_ESCAPES[character] as string),
  );
  return `${fields.join("\t")}\n`;
}

const COPY_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
};

async function writeCopy(sql: Sql, table: string, columns: string[], lines: string[]) {
  const columnList = columns.map((column) => `"${column}"`).join(", ");
  const stream = await sql.unsafe(`copy "${table}" (${columnList}) from stdin`).writable();
  const finished = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  // One write per 1,000 lines keeps the number of socket writes low.
  for (let start = 0; start < lines.length; start += 1000) {
    stream.write(lines.slice(start, start + 1000).join(""));
  }
  stream.end();
  await finished;
}

/**
 * Inserts rows passed as one JSON parameter per statement and expanded on the server by
 * json_populate_recordset. On PGlite this is several times faster than binding every value
 * as its own parameter.
 */
async function writeJsonInserts(
  sql: Sql,
  table: string,
  columns: [string, { name: string }][],
  rows: Row[],
) {
  const columnList = columns.map(([, column]) => `"${column.name}"`).join(", ");
  const statement =
    `insert into "${table}" (${columnList}) ` +
    `select ${columnList} from json_populate_recordset(null::"${table}", $1::json)`;
  for (let start = 0; start < rows.length; start += JSON_ROWS_PER_STATEMENT) {
    const records = rows.slice(start, start + JSON_ROWS_PER_STATEMENT).map((row) => {
      const record: Row = {};
      for (const [key, column] of columns) record[column.name] = row[key] ?? null;
      return record;
    });
    await sql.unsafe(statement, [JSON.stringify(records)]);
  }
}

/** A dropped index: its name and the CREATE INDEX statement that rebuilds it. */
export interface SavedIndex {
  name: string;
  definition: string;
}

/**
 * Drops every index of `tables` that no constraint owns (primary keys and UNIQUE constraints
 * stay) and returns their definitions as the database reports them, so the rebuild always
 * matches what the migrations created.
 */
export async function dropSecondaryIndexes(sql: Sql, tables: string[]): Promise<SavedIndex[]> {
  const indexes = await sql<SavedIndex[]>`
    select i.relname as name, pg_get_indexdef(x.indexrelid) as definition
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_class t on t.oid = x.indrelid
    where t.relname in ${sql(tables)}
      and t.relnamespace = 'public'::regnamespace
      and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)
    order by i.relname`;
  for (const index of indexes) await sql.unsafe(`drop index "${index.name}"`);
  return indexes;
}

/** Recreates dropped indexes one by one, reporting each with its build time. */
export async function rebuildIndexes(
  sql: Sql,
  indexes: SavedIndex[],
  report: (message: string) => void,
): Promise<void> {
  for (const [position, index] of indexes.entries()) {
    const started = performance.now();
    await sql.unsafe(index.definition);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    report(`index ${position + 1} of ${indexes.length} built: ${index.name} (${seconds} s)`);
  }
}

/** Moves the identity sequence of `table.id` past the highest id, after ids written by hand. */
export async function syncIdentity(sql: Sql, table: string): Promise<void> {
  await sql.unsafe(
    `select setval(pg_get_serial_sequence('"${table}"', 'id'), ` +
      `(select coalesce(max(id), 0) + 1 from "${table}"), false)`,
  );
}

/** Reads the highest id in `table`, or 0 when it is empty. */
export async function maxId(sql: Sql, table: string): Promise<number> {
  const [row] = await sql.unsafe<{ max: number }[]>(
    `select coalesce(max(id), 0)::int as max from "${table}"`,
  );
  return row?.max ?? 0;
}
