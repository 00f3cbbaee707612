import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { applicantProfiles, users } from "../db/schema";

/** Postgres type a cursor's text value is cast back to, so comparisons keep full precision. */
type KeyType = "text" | "timestamptz" | "numeric";

interface OrderField {
  column: AnyPgColumn;
  type: KeyType;
}

// Every field is NOT NULL, which keyset comparisons rely on: `col > value` never skips a NULL.
const ORDER_FIELDS: Record<string, OrderField> = {
  email: { column: users.email, type: "text" },
  full_name: { column: users.fullName, type: "text" },
  date_joined: { column: users.dateJoined, type: "timestamptz" },
  updated_at: { column: users.updatedAt, type: "timestamptz" },
  applicant_profile__verification_status: {
    column: applicantProfiles.verificationStatus,
    type: "text",
  },
  applicant_profile__created_at: { column: applicantProfiles.createdAt, type: "timestamptz" },
  applicant_profile__score: { column: applicantProfiles.score, type: "numeric" },
};

export const ORDERING_FIELDS = Object.keys(ORDER_FIELDS);
export const DEFAULT_ORDERING = "-applicant_profile__created_at";

/** One key of an ORDER BY: a whitelisted field or the row id that breaks ties. */
export interface OrderKey {
  column: AnyPgColumn;
  type: KeyType | "integer";
  descending: boolean;
}

/**
 * The `ordering` query parameter: a comma list of whitelisted fields, each optionally prefixed
 * by `-` for descending. Unknown or repeated fields are a 400 naming `ordering`.
 */
export const OrderingParamSchema = z
  .string()
  .max(300)
  .superRefine((value, context) => {
    if (value.trim() === "") return;
    const names = value.split(",").map((part) => part.trim().replace(/^-/, ""));
    const unknown = names.filter((name) => !(name in ORDER_FIELDS));
    if (unknown.length > 0) {
      context.addIssue({
        code: "custom",
        message: `Urutan tidak dikenal: ${unknown.join(", ")}. Pilihan: ${ORDERING_FIELDS.join(", ")}.`,
      });
    } else if (new Set(names).size !== names.length) {
      context.addIssue({ code: "custom", message: "Setiap field urutan hanya boleh sekali." });
    }
  });

/**
 * Turns a validated `ordering` value into ORDER BY keys and appends `idColumn`, in the
 * direction of the first key, so that rows with equal values always come in the same order.
 * Keyset pagination needs that total order.
 */
export function parseOrdering(ordering: string | undefined, idColumn: AnyPgColumn): OrderKey[] {
  const keys = (ordering?.trim() || DEFAULT_ORDERING).split(",").map((part): OrderKey => {
    const trimmed = part.trim();
    const descending = trimmed.startsWith("-");
    const field = ORDER_FIELDS[descending ? trimmed.slice(1) : trimmed];
    if (!field) throw new Error(`ordering field was not validated: ${trimmed}`);
    return { column: field.column, type: field.type, descending };
  });
  keys.push({ column: idColumn, type: "integer", descending: keys[0]?.descending ?? false });
  return keys;
}

/** ORDER BY expressions for `keys`, reversed when paging backwards. */
export function orderByClauses(keys: OrderKey[], reverse = false): SQL[] {
  return keys.map((key) => (key.descending !== reverse ? desc(key.column) : asc(key.column)));
}

/** Select expressions that render each key as text, so a cursor can carry exact values. */
export function keyTextFields(keys: OrderKey[]): Record<string, SQL<string>> {
  return Object.fromEntries(
    keys.map((key, index) => [`key${index}`, sql<string>`${key.column}::text`]),
  );
}

/**
 * The keyset condition "after the row whose keys are `values`" in the order of `keys` (or
 * before it when `reverse`): (k1 > v1) OR (k1 = v1 AND k2 > v2) OR …, with `<` for descending
 * keys. Each value is cast back to its column type, because timestamps carry microseconds
 * that a JavaScript Date would drop.
 */
export function keysetCondition(keys: OrderKey[], values: string[], reverse: boolean): SQL {
  const descending = keys[0]?.descending ?? false;
  if (keys.every((key) => key.descending === descending)) {
    // One direction throughout: a row comparison says the same and is easier on the planner.
    const columns = sql.join(
      keys.map((key) => sql`${key.column}`),
      sql`, `,
    );
    const row = sql.join(
      keys.map((key, index) => typed(key, values[index])),
      sql`, `,
    );
    const operator = sql.raw(descending === reverse ? ">" : "<");
    return sql`(${columns}) ${operator} (${row})`;
  }

  const branches: SQL[] = [];
  for (let index = 0; index < keys.length; index++) {
    const equalities = keys.slice(0, index).map((key, i) => eq(key.column, typed(key, values[i])));
    const key = keys[index] as OrderKey;
    const after = key.descending === reverse;
    const value = typed(key, values[index]);
    const comparison = after ? sql`${key.column} > ${value}` : sql`${key.column} < ${value}`;
    branches.push(and(...equalities, comparison) as SQL);
  }
  return or(...branches) as SQL;
}

function typed(key: OrderKey, value: string | undefined): SQL {
  return sql`cast(${value ?? ""} as ${sql.raw(key.type)})`;
}
