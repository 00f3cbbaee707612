import { and, asc, type Column, count, desc, eq, ilike, or, type SQL } from "drizzle-orm";
import type { AppContext } from "../context";
import type { Database } from "../db/client";
import { companyProfiles, staffProfiles, users } from "../db/schema";
import { validationError } from "../lib/errors";
import { paginate } from "../lib/pagination";
import {
  serializeAdminUser,
  serializeCompanyUser,
  serializeStaffUser,
} from "../users/users.serializers";
import type { AccountListQuery } from "./accounts.schemas";

/** Roles that have a back-office list here; the applicant list lives with applicant search. */
export type ListedRole = "ADMIN" | "STAFF" | "COMPANY";

const ORDERING_COLUMNS: Record<string, Column> = {
  email: users.email,
  full_name: users.fullName,
  date_joined: users.dateJoined,
  last_login: users.lastLogin,
  updated_at: users.updatedAt,
  id: users.id,
};

/** Columns that `?search=` looks in, per role; every term must match one of them. */
const SEARCH_COLUMNS: Record<ListedRole, Column[]> = {
  ADMIN: [users.email, users.fullName],
  STAFF: [users.email, users.fullName, staffProfiles.contactPhone],
  COMPANY: [users.email, users.fullName, companyProfiles.companyName, companyProfiles.contactPhone],
};

/** Extra `?ordering=` fields per role, on top of ORDERING_COLUMNS. */
const ROLE_ORDERING: Record<ListedRole, Record<string, Column>> = {
  ADMIN: {},
  STAFF: {},
  COMPANY: { company_name: companyProfiles.companyName },
};

/**
 * Lists the accounts of `role` in the shape of that role, filtered by `is_active`,
 * `email_verified` and `search`, sorted by `ordering` (default newest first). Two queries: the
 * count and the page. A page past the last one is 404; an unknown ordering field is 400.
 */
export async function listAccounts(
  c: AppContext,
  db: Database,
  role: ListedRole,
  query: AccountListQuery,
) {
  const where = and(eq(users.role, role), ...filterConditions(role, query));
  const orderBy = orderingClauses(role, query.ordering);
  return paginate(c, query, {
    count: async () => {
      const [total] = await db
        .select({ value: count() })
        .from(users)
        .leftJoin(staffProfiles, eq(staffProfiles.userId, users.id))
        .leftJoin(companyProfiles, eq(companyProfiles.userId, users.id))
        .where(where);
      return total?.value ?? 0;
    },
    // Both one-to-one profile tables are joined, because the search and the shapes read them.
    rows: async (limit, offset) => {
      const rows = await db
        .select({ user: users, staff: staffProfiles, company: companyProfiles })
        .from(users)
        .leftJoin(staffProfiles, eq(staffProfiles.userId, users.id))
        .leftJoin(companyProfiles, eq(companyProfiles.userId, users.id))
        .where(where)
        .orderBy(...orderBy)
        .limit(limit)
        .offset(offset);
      return rows.map((row) => serializeListed(role, row));
    },
  });
}

function serializeListed(
  role: ListedRole,
  row: {
    user: typeof users.$inferSelect;
    staff: typeof staffProfiles.$inferSelect | null;
    company: typeof companyProfiles.$inferSelect | null;
  },
) {
  if (role === "STAFF") return serializeStaffUser(row.user, row.staff);
  if (role === "COMPANY") return serializeCompanyUser(row.user, row.company);
  return serializeAdminUser(row.user);
}

function filterConditions(role: ListedRole, query: AccountListQuery): SQL[] {
  const conditions: SQL[] = [];
  if (query.is_active !== undefined) conditions.push(eq(users.isActive, query.is_active));
  if (query.email_verified !== undefined) {
    conditions.push(eq(users.emailVerified, query.email_verified));
  }
  for (const term of searchTerms(query.search)) {
    const pattern = `%${escapeLike(term)}%`;
    const matches = SEARCH_COLUMNS[role].map((column) => ilike(column, pattern));
    conditions.push(or(...matches)!);
  }
  return conditions;
}

/** Splits `?search=` on whitespace; each term must match (AND), case-insensitively. */
export function searchTerms(search: string | undefined): string[] {
  return (search ?? "").split(/\s+/).filter((term) => term.length > 0);
}

/** Escapes `%`, `_` and `\` so a search term matches itself in ILIKE. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * Parses `?ordering=` (comma list, `-` for descending) against the whitelist. The user id is
 * always the last key, so pages are stable when the other keys tie.
 */
function orderingClauses(role: ListedRole, ordering: string | undefined): SQL[] {
  const allowed = { ...ORDERING_COLUMNS, ...ROLE_ORDERING[role] };
  const fields = (ordering ?? "")
    .split(",")
    .map((field) => field.trim())
    .filter(Boolean);
  if (fields.length === 0) return [desc(users.dateJoined), desc(users.id)];

  const clauses: SQL[] = [];
  for (const field of fields) {
    const name = field.replace(/^-/, "");
    const column = allowed[name];
    if (!column) {
      const choices = Object.keys(allowed).join(", ");
      throw validationError({ ordering: [`Urutan '${name}' tidak dikenal. Pilihan: ${choices}.`] });
    }
    clauses.push(field.startsWith("-") ? desc(column) : asc(column));
  }
  clauses.push(asc(users.id));
  return clauses;
}
