import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, readMigrations, type DatabaseHandle } from "./index.ts";
import { createTestDatabase, type TestDatabase } from "./testing.ts";

describe("database", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("when migrations are applied, then they are recorded the way prisma migrate records them", async () => {
    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows).toEqual(readMigrations().map((m) => ({ migration_name: m.name, checksum: m.checksum })));
  });

  it("when a migrated database is opened again, then nothing is re-applied", async () => {
    // A database other processes can open too (a folder for PGlite), so opening it twice means the same data.
    const shared = await createTestDatabase({ inMemory: false });
    try {
      const again = await shared.open();
      expect(again.migrations.applied).toEqual([]);
      await again.close();
    } finally {
      await shared.drop();
    }
  });

  it("when stock would go negative, then the database itself refuses it", async () => {
    await db.prisma.product.create({ data: { sku: "DB-CHECK-1", name: "Check", priceCents: 100, stockAvailable: 1 } });
    await expect(
      db.prisma.product.update({ where: { sku: "DB-CHECK-1" }, data: { stockAvailable: { decrement: 2 } } }),
    ).rejects.toThrow(/products_stock_available_non_negative/);
    expect((await db.prisma.product.findUniqueOrThrow({ where: { sku: "DB-CHECK-1" } })).stockAvailable).toBe(1);
  });

  it("each domain's tables (and events' and usage's) live in their own PostgreSQL schema, named as their Prisma schema file", async () => {
    // The schemas are read from the Prisma schema files (prisma/schema/<name>.prisma: one per domain, and events' and
    // usage's; schema.prisma holds the datasource), so a new domain is covered here without a list to edit. This
    // package cannot read the registry: packages/domains depends on the domains, which depend on this package.
    const schemas = readdirSync(path.join(MIGRATIONS_DIR, "../schema"))
      .filter((file) => file.endsWith(".prisma") && file !== "schema.prisma")
      .map((file) => file.slice(0, -".prisma".length))
      .sort();
    expect(schemas).toEqual(expect.arrayContaining(["billing", "events", "inventory", "notifications", "orders", "users"]));
    const rows = await db.prisma.$queryRawUnsafe<{ table_schema: string; table_name: string }[]>(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY($1::text[]) ORDER BY 1, 2`,
      schemas,
    );
    expect([...new Set(rows.map((row) => row.table_schema))]).toEqual(schemas);
    expect(rows.filter((row) => row.table_schema === "users").map((row) => row.table_name)).toEqual(["refresh_tokens", "users"]);
  });
});
