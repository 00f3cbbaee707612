import { defineConfig } from "drizzle-kit";

// drizzle-kit only needs a database URL for `migrate`, `push` and `studio`; `generate` works
// offline from the schema files.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema/index.ts",
  out: "./migrations",
  dbCredentials: {
    url: process.env.DATABASE_URL ?? "postgres://postgres:postgres@127.0.0.1:5432/postgres",
  },
});
