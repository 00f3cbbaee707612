import { index, integer, pgTable, varchar } from "drizzle-orm/pg-core";
import { idColumn } from "./columns";

// Kemendagri administrative areas. Codes are stored without dots: 2, 4, 6 and 10 digits.

export const provinces = pgTable("provinces", {
  id: idColumn(),
  code: varchar("code", { length: 2 }).notNull().unique(),
  name: varchar("name", { length: 255 }).notNull(),
});

export const regencies = pgTable(
  "regencies",
  {
    id: idColumn(),
    code: varchar("code", { length: 4 }).notNull().unique(),
    provinceId: integer("province_id")
      .notNull()
      .references(() => provinces.id),
    name: varchar("name", { length: 255 }).notNull(),
  },
  (table) => [index("regencies_province_id_idx").on(table.provinceId)],
);

/** Kecamatan. The API calls these "districts"; applicant `district_id` columns point at regencies. */
export const districts = pgTable(
  "districts",
  {
    id: idColumn(),
    code: varchar("code", { length: 6 }).notNull().unique(),
    regencyId: integer("regency_id")
      .notNull()
      .references(() => regencies.id),
    name: varchar("name", { length: 255 }).notNull(),
  },
  (table) => [index("districts_regency_id_idx").on(table.regencyId)],
);

export const villages = pgTable(
  "villages",
  {
    id: idColumn(),
    code: varchar("code", { length: 10 }).notNull().unique(),
    districtId: integer("district_id")
      .notNull()
      .references(() => districts.id),
    name: varchar("name", { length: 255 }).notNull(),
  },
  (table) => [index("villages_district_id_idx").on(table.districtId)],
);
