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
    // Opened on first connect, not here: `prisma -v` (which @prisma/client's postinstall runs) asks for the adapter
    // only to print its name, and an open PGlite would keep that process alive forever, hanging `npm install`.
    let factory: InstanceType<typeof PrismaPGlite> | undefined;
    const open = () => {
      mkdirSync(dataDir, { recursive: true });
      return (factory ??= new PrismaPGlite(new PGlite({ dataDir })));
    };
    const lazy = {
      provider: "postgres",
      adapterName: "pglite-prisma-adapter",
      connect: () => open().connect(),
      connectToShadowDb: () => open().connectToShadowDb(),
    };
    // Typed against an older driver-adapter-utils; the contract is the same (docs/adr/0002-data-layer.md).
    return lazy as unknown as PrismaPg;
  },
});
