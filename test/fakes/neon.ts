import type { IncomingMessage, ServerResponse } from "node:http";
import pg from "pg";
import type { FakeHandler } from "./server";

// The protocol below is what @neondatabase/serverless 1.2.0 sends from `neon()` (index.mjs,
// function `execute`): a POST with `{query, params}` or `{queries: [...]}`, the target database
// in `Neon-Connection-String`, and options in `Neon-*` headers.
const PATH = "/neon/sql";

interface NeonQuery {
  query: string;
  params: unknown[];
}

interface RequestOptions {
  rawTextOutput: boolean;
  arrayMode: boolean;
  begin: string;
}

/** Request errors that Neon answers with status 400 and a `message`, like a Postgres error. */
class NeonRequestError extends Error {}

// Every value comes back as the text Postgres sent, so the driver's own type parsers run.
const textTypes = { getTypeParser: () => (value: string) => value };

/**
 * Answers Neon's SQL-over-HTTP endpoint at `/neon/sql` by running the statements on the test
 * database with `pg`: one client per request, and one transaction per batch.
 */
export function createNeonFake(databaseUrl: string): FakeHandler {
  const database = new URL(databaseUrl);

  return async (request, body, response) => {
    if (new URL(request.url ?? "/", "http://fake").pathname !== PATH) return false;
    try {
      if (request.method !== "POST") throw new NeonRequestError("only POST is supported");
      checkConnectionString(request, database);
      const options = readOptions(request);
      const payload = parseBody(body);
      const result = await execute(databaseUrl, payload, options);
      sendJson(response, 200, result);
    } catch (error) {
      sendError(response, error);
    }
    return true;
  };
}

/** Rejects requests aimed at another database, which the real service would reach. */
function checkConnectionString(request: IncomingMessage, database: URL): void {
  const header = request.headers["neon-connection-string"];
  if (typeof header !== "string") {
    throw new NeonRequestError("missing Neon-Connection-String header");
  }
  let target: URL;
  try {
    target = new URL(header);
  } catch {
    throw new NeonRequestError("Neon-Connection-String is not a valid URL");
  }
  if (!["postgres:", "postgresql:"].includes(target.protocol)) {
    throw new NeonRequestError("Neon-Connection-String must use postgres:// or postgresql://");
  }
  const sameDatabase =
    target.hostname === database.hostname &&
    target.port === database.port &&
    target.pathname === database.pathname;
  if (!sameDatabase) {
    throw new NeonRequestError(`the Neon fake serves only ${database.host}${database.pathname}`);
  }
}

function readOptions(request: IncomingMessage): RequestOptions {
  return {
    rawTextOutput: request.headers["neon-raw-text-output"] === "true",
    arrayMode: request.headers["neon-array-mode"] === "true",
    begin: beginStatement(request),
  };
}

const ISOLATION_LEVELS: Record<string, string> = {
  Serializable: "SERIALIZABLE",
  RepeatableRead: "REPEATABLE READ",
  ReadCommitted: "READ COMMITTED",
  ReadUncommitted: "READ UNCOMMITTED",
};

/** Builds the BEGIN of a batch from the `Neon-Batch-*` headers; unset ones keep the default. */
function beginStatement(request: IncomingMessage): string {
  const modes: string[] = [];
  const isolation = request.headers["neon-batch-isolation-level"];
  if (typeof isolation === "string") {
    const level = ISOLATION_LEVELS[isolation];
    if (!level) throw new NeonRequestError(`invalid Neon-Batch-Isolation-Level: ${isolation}`);
    modes.push(`ISOLATION LEVEL ${level}`);
  }
  const readOnly = booleanHeader(request, "neon-batch-read-only");
  if (readOnly !== undefined) modes.push(readOnly ? "READ ONLY" : "READ WRITE");
  const deferrable = booleanHeader(request, "neon-batch-deferrable");
  if (deferrable !== undefined) modes.push(deferrable ? "DEFERRABLE" : "NOT DEFERRABLE");
  return ["BEGIN", ...modes].join(" ");
}

function booleanHeader(request: IncomingMessage, name: string): boolean | undefined {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  if (value === "true" || value === "false") return value === "true";
  throw new NeonRequestError(`invalid ${name} header: expected true or false`);
}

function parseBody(body: Buffer): NeonQuery | NeonQuery[] {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    throw new NeonRequestError("request body is not valid JSON");
  }
  if (isRecord(payload) && Array.isArray(payload.queries)) {
    return payload.queries.map(toQuery);
  }
  return toQuery(payload);
}

function toQuery(value: unknown): NeonQuery {
  if (!isRecord(value) || typeof value.query !== "string") {
    throw new NeonRequestError("each query needs a `query` string");
  }
  const params = value.params ?? [];
  if (!Array.isArray(params)) throw new NeonRequestError("`params` must be an array");
  return { query: value.query, params };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function execute(
  databaseUrl: string,
  payload: NeonQuery | NeonQuery[],
  options: RequestOptions,
): Promise<object> {
  const client = new pg.Client({ connectionString: databaseUrl, types: textTypes });
  await client.connect();
  try {
    if (!Array.isArray(payload)) return await runQuery(client, payload, options);
    return { results: await runBatch(client, payload, options) };
  } finally {
    await client.end();
  }
}

async function runBatch(client: pg.Client, queries: NeonQuery[], options: RequestOptions) {
  await client.query(options.begin);
  try {
    const results: object[] = [];
    for (const query of queries) results.push(await runQuery(client, query, options));
    await client.query("COMMIT");
    return results;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

async function runQuery(client: pg.Client, query: NeonQuery, options: RequestOptions) {
  // Extended mode even without parameters: Neon runs one statement per query, as prepared
  // statements do, so a string with two statements fails here as it does there.
  const result = await client.query({
    text: query.query,
    values: query.params,
    rowMode: "array",
    queryMode: "extended",
  } as pg.QueryArrayConfig);
  const fields = result.fields.map((field) => ({
    name: field.name,
    tableID: field.tableID,
    columnID: field.columnID,
    dataTypeID: field.dataTypeID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: "text",
  }));
  const rows = result.rows.map((row: unknown[]) =>
    shapeRow(row, result.fields, options.arrayMode, options.rawTextOutput),
  );
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows,
    fields,
    rowAsArray: options.arrayMode,
  };
}

function shapeRow(
  row: unknown[],
  fields: pg.FieldDef[],
  arrayMode: boolean,
  rawTextOutput: boolean,
): unknown[] | Record<string, unknown> {
  const values = rawTextOutput
    ? row
    : row.map((value, index) => toJsonValue(value, fields[index]!.dataTypeID));
  if (arrayMode) return values;
  return Object.fromEntries(fields.map((field, index) => [field.name, values[index]]));
}

const NUMBER_TYPES = new Set([21, 23, 700, 701]);
const JSON_TYPES = new Set([114, 3802]);

/**
 * Converts a text value the way Neon does without `Neon-Raw-Text-Output`, for the scalar types
 * that have a JSON form.
 */
// NOTE: Neon also turns arrays and other numeric types into JSON; the fake keeps those as text
// because the driver always asks for raw text and nothing here reads the other form.
function toJsonValue(value: unknown, dataTypeID: number): unknown {
  if (typeof value !== "string") return value;
  if (dataTypeID === 16) return value === "t";
  if (NUMBER_TYPES.has(dataTypeID)) return Number(value);
  if (JSON_TYPES.has(dataTypeID)) return JSON.parse(value);
  return value;
}

// The fields of a Postgres error that the driver copies onto its NeonDbError.
const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

/** Sends Postgres and request errors as Neon does: status 400, `message` plus the error fields. */
function sendError(response: ServerResponse, error: unknown): void {
  if (error instanceof pg.DatabaseError) {
    const body: Record<string, unknown> = { message: error.message };
    for (const field of ERROR_FIELDS) {
      if (error[field] !== undefined) body[field] = error[field];
    }
    sendJson(response, 400, body);
    return;
  }
  if (error instanceof NeonRequestError) {
    sendJson(response, 400, { message: error.message });
    return;
  }
  // Anything else, such as a refused connection, is the service's own failure.
  sendJson(response, 500, { message: `neon fake failed: ${String(error)}` });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
