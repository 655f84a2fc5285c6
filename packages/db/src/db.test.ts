import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMigrations, type DatabaseHandle } from "./index.ts";
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

  it("each domain's tables live in that domain's own PostgreSQL schema", async () => {
    const rows = await db.prisma.$queryRawUnsafe<{ table_schema: string; table_name: string }[]>(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('users','inventory','orders','billing','events') ORDER BY 1, 2`,
    );
    expect([...new Set(rows.map((row) => row.table_schema))]).toEqual(["billing", "events", "inventory", "orders", "users"]);
    expect(rows.filter((row) => row.table_schema === "users").map((row) => row.table_name)).toEqual(["refresh_tokens", "users"]);
  });
});
