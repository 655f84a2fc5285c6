// Configures the Prisma CLI (generate, migrate). Prisma 6.19 with the JavaScript schema engine needs no engine
// binaries, so every command works offline (docs/adr/0002-data-layer.md).
// The target database follows the same rule as the running app: DATABASE_URL when set (real PostgreSQL),
// otherwise the embedded PGlite database in PGLITE_DATA_DIR (default .data/pglite).
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema"),
  migrations: {
    path: path.join("prisma", "migrations"),
    seed: "tsx prisma/seed.ts",
  },
  async adapter() {
    const databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl) {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      return new PrismaPg({ connectionString: databaseUrl });
    }
    const { PGlite } = await import("@electric-sql/pglite");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    const dataDir = path.resolve(process.env.PGLITE_DATA_DIR ?? path.join(".data", "pglite"));
    mkdirSync(dataDir, { recursive: true });
    // Typed against an older driver-adapter-utils; the contract is the same (docs/adr/0002-data-layer.md).
    return new PrismaPGlite(new PGlite({ dataDir })) as unknown as PrismaPg;
  },
});
