import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { createTestUser } from "../../test/helpers/users";
import { type DatabaseDriver, openDatabase, runAtomic } from "../db/client";
import { oneTimeTokens, users } from "../db/schema";
import { type Bindings, loadConfig } from "../env";
import {
  claimTokenStatement,
  decodeUid,
  encodeUid,
  findOneTimeToken,
  hashToken,
  isClaimFailure,
  issueOneTimeToken,
} from "./one-time-tokens.service";

describe("one-time token issue", () => {
  it("stores only the SHA-256 hash of a 256-bit token", async () => {
    const { user } = await createTestUser();
    const issued = await withDatabase(({ db }) =>
      issueOneTimeToken(db, user, "email_verification", 60),
    );
    const [row] = await withDatabase(({ db }) =>
      db.select().from(oneTimeTokens).where(eq(oneTimeTokens.id, issued.id)),
    );

    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(row?.tokenHash).toBe(await hashToken(issued.token));
    expect(row?.tokenHash).not.toContain(issued.token);
    expect(row?.email).toBe(user.email);
    expect(row?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 55_000);
    const found = await withDatabase(({ db }) =>
      findOneTimeToken(db, issued.token, "email_verification"),
    );
    expect(found?.user.id).toBe(user.id);
  });
});

describe("reset link uid", () => {
  it("round-trips user ids as base64url of the decimal id", () => {
    expect(encodeUid(123)).toBe("MTIz");
    for (const id of [1, 42, 2_147_483_647]) expect(decodeUid(encodeUid(id))).toBe(id);
  });

  it("rejects anything that is not a positive 32-bit id", () => {
    for (const uid of ["", "!!", "MA", btoa("-1"), btoa("abc"), btoa("2147483648"), btoa("01")]) {
      expect(decodeUid(uid.replace(/=+$/, ""))).toBeNull();
    }
  });
});

describe.each<DatabaseDriver>(["postgres", "neon-http"])(
  "claimTokenStatement with the %s driver",
  (driver) => {
    it("claims a token once and rolls back the second transaction", async () => {
      const { user } = await createTestUser();
      const issued = await withDatabase(({ db }) =>
        issueOneTimeToken(db, user, "password_reset", 60),
      );
      const handle = openDatabase({
        ...loadConfig(env as unknown as Bindings),
        DATABASE_DRIVER: driver,
      });
      const markUser = (tag: string) =>
        runAtomic(handle, (db) => [
          claimTokenStatement(db, issued.id, true),
          db.update(users).set({ fullName: tag }).where(eq(users.id, user.id)),
        ]);

      try {
        await markUser("first");
        const failure = await markUser("second").catch((error: unknown) => error);
        expect(isClaimFailure(failure)).toBe(true);
        const [row] = await handle.db
          .select()
          .from(oneTimeTokens)
          .where(eq(oneTimeTokens.id, issued.id));
        expect(row?.usedAt).toBeInstanceOf(Date);
        // The statement after the failed claim was rolled back with it.
        const [stored] = await handle.db.select().from(users).where(eq(users.id, user.id));
        expect(stored?.fullName).toBe("first");
      } finally {
        await handle.close();
      }
    });
  },
);
