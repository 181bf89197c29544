import { defineConfig } from "drizzle-kit";

// Postgres migrations (ra serve --database postgres://…): `npx drizzle-kit generate --config drizzle.pg.config.ts`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/relay/db/pg/schema.ts",
  out: "./drizzle-pg",
});
