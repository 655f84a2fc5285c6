import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, type DatabaseHandle, type PrismaClient } from "./index.ts";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "./testing.ts";

/** PostgreSQL's SQLSTATE for "permission denied" (a missing grant, or a row-level security policy that refuses). */
const INSUFFICIENT_PRIVILEGE = "42501";

/** The SQLSTATE somewhere in the error Prisma's driver adapter surfaced (its `cause` or `meta.driverAdapterError`). */
function sqlStateOf(error: unknown): string | undefined {
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, originalCode, cause, meta } = current as Record<string, unknown>;
    for (const value of [originalCode, code]) if (typeof value === "string" && /^[0-9A-Z]{5}$/.test(value) && !value.startsWith("P")) return value;
    queue.push(cause, (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
  }
  return undefined;
}

async function refusal(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the database to refuse");
}

// Sealed data on PostgreSQL (docs/adr/0016): each domain's role reaches its own schema and nothing else, whatever
// the code that holds its handle tries. On PGlite there is one embedded user: the typed handle is the boundary there.
describe.runIf(testDatabaseKind() === "postgres")("domain roles on PostgreSQL", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  // What a domain that stepped over its typed handle (a cast, a raw query) could do with its connection.
  let orders: PrismaClient;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
    orders = db.as("orders");
    const order = { orderId: randomUUID(), customerId: randomUUID(), totalCents: 500, currency: "EUR", placedAt: new Date() };
    await db.prisma.orderSummary.create({ data: order });
    await db.prisma.invoice.create({ data: { orderId: order.orderId, customerId: order.customerId, amountCents: 500, currency: "EUR" } });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("when orders' role reads its own tables, then it may", async () => {
    await orders.order.create({ data: { id: randomUUID(), customerId: randomUUID(), currency: "EUR", totalCents: 100 } });
    expect(await orders.order.count()).toBe(1);
    const rows = await orders.$queryRawUnsafe<{ role: string }[]>("SELECT current_user AS role");
    expect(rows).toEqual([{ role: "monograph_orders" }]);
  });

  it("when orders' role selects from billing.invoices, then PostgreSQL refuses it with permission denied (42501)", async () => {
    const raw = await refusal(() => orders.$queryRawUnsafe("SELECT * FROM billing.invoices"));
    expect(sqlStateOf(raw)).toBe(INSUFFICIENT_PRIVILEGE);
    const viaModel = await refusal(() => orders.invoice.findMany());
    expect(sqlStateOf(viaModel)).toBe(INSUFFICIENT_PRIVILEGE);
    // The owner still sees the invoice: it was the role that was refused, not the table that was missing.
    expect(await db.prisma.invoice.count()).toBe(1);
  });

  it("when a domain's role writes another domain's table, then it is refused too", async () => {
    const billing = db.as("billing");
    const error = await refusal(() => billing.order.deleteMany());
    expect(sqlStateOf(error)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await db.prisma.order.count()).toBe(1);
  });

  it("when orders records an event as billing's, or marks billing's inbox, then row-level security refuses it", async () => {
    const event = { id: randomUUID(), type: "invoices.paid", payload: {}, occurredAt: new Date() };
    expect(sqlStateOf(await refusal(() => orders.outboxEvent.create({ data: { ...event, source: "billing" } })))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(sqlStateOf(await refusal(() => orders.processedEvent.create({ data: { consumer: "billing", eventId: randomUUID() } })))).toBe(INSUFFICIENT_PRIVILEGE);
    // Its own rows: fine, and the relay (its own role) sees every source's.
    await orders.outboxEvent.create({ data: { ...event, source: "orders", type: "orders.created" } });
    await db.prisma.outboxEvent.create({ data: { ...event, id: randomUUID(), source: "billing" } });
    expect(await orders.outboxEvent.count()).toBe(1);
    expect(await db.as("relay").outboxEvent.count()).toBe(2);
    expect(sqlStateOf(await refusal(() => db.as("relay").outboxEvent.create({ data: { ...event, id: randomUUID(), source: "orders" } })))).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("when the roles migration runs again, then it succeeds and changes nothing", async () => {
    const sql = readFileSync(path.join(MIGRATIONS_DIR, "20261201120000_domain_roles", "migration.sql"), "utf8");
    const client = new pg.Client({ connectionString: (database.target as { url: string }).url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
    expect(await orders.order.count()).toBe(1);
    expect(sqlStateOf(await refusal(() => orders.invoice.findMany()))).toBe(INSUFFICIENT_PRIVILEGE);
  });
});

describe.runIf(testDatabaseKind() === "pglite")("domain roles on PGlite", () => {
  it("when a domain asks for its role's client, then it gets the one embedded client (the typed handle is the boundary)", async () => {
    const database = await createTestDatabase();
    const db = await database.open();
    try {
      expect(db.as("orders")).toBe(db.prisma);
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
