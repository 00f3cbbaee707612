import type fc from "fast-check";
import { afterAll, beforeAll } from "vitest";
import type { DatabaseHandle } from "../../../src/db/client";
import { openTestDatabase } from "../../helpers/database";
import {
  actorsFor,
  createFixture,
  expectActorsSignedIn,
  type Fixture,
  fuzz,
  realPathIds,
  sendAndCheck,
} from "./fuzz-runner";
import type { HostileRequest, PathIds } from "./hostile-requests";
import type { Operation } from "./openapi-operations";

/** The database connection and the fixture that one fuzz test file shares between its tests. */
export interface FuzzSession {
  database: DatabaseHandle;
  fixture: Fixture;
}

/** fast-check runs per operation for the operation's role and for the anonymous client. */
export interface FuzzRuns {
  role: number;
  anonymous: number;
}

/**
 * Registers hooks that open the test database and create the fixture before the file's first
 * test and close the database after its last one. The fields are set only once `beforeAll`
 * has run, so read them inside tests.
 */
export function setUpFuzzSession(): FuzzSession {
  const session = {} as FuzzSession;

  beforeAll(async () => {
    session.database = openTestDatabase();
    session.fixture = await createFixture();
  });

  afterAll(async () => {
    await session.database.close();
  });

  return session;
}

/**
 * Fuzzes `operation` as each of its actors with the requests that `requests` generates from
 * the fixture's real path ids. `sendAndCheck` checks every response, and at the end every actor
 * must still be signed in.
 */
export async function fuzzOperation(
  session: FuzzSession,
  operation: Operation,
  runs: FuzzRuns,
  requests: (pathIds: PathIds) => fc.Arbitrary<HostileRequest>,
) {
  const { database, fixture } = session;
  const pathIds = realPathIds(fixture);
  for (const actor of actorsFor(operation, fixture)) {
    const numRuns = actor ? runs.role : runs.anonymous;
    await fuzz(requests(pathIds), numRuns, (value) =>
      sendAndCheck(database, fixture, actor, value),
    );
  }
  await expectActorsSignedIn(fixture, operation);
}
