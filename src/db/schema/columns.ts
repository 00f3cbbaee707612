import { sql } from "drizzle-orm";
import { type AnyPgColumn, check, integer, timestamp } from "drizzle-orm/pg-core";

/** Integer primary key backed by an identity sequence; ids can be reserved with nextval first. */
export const idColumn = () => integer("id").primaryKey().generatedByDefaultAsIdentity();

export const createdAt = () =>
  timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const timestampColumn = (name: string) =>
  timestamp(name, { withTimezone: true, mode: "date" });

/** CHECK constraint that keeps a varchar column inside a fixed set of values (nulls pass). */
export const enumCheck = (name: string, column: AnyPgColumn, values: readonly string[]) =>
  check(
    name,
    sql`${column} in (${sql.join(
      values.map((value) => sql.raw(`'${value}'`)),
      sql`, `,
    )})`,
  );
