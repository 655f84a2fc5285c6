import { randomUUID } from "node:crypto";
import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createInventoryReservations, createReservationSweeper, type InventoryReservations, type SweepResult } from "./index.ts";

// The sweeper of the order placement protocol (docs/adr/0011-order-placement-protocol.md), on a real database and
// inventory's real reservations; orders' answer is a stub that records the questions.
describe("reservation sweeper", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  let reservations: InventoryReservations;
  let skuCounter = 0;
  let clock = Date.now();

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
    reservations = createInventoryReservations({ db: db.prisma });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await db.prisma.reservation.deleteMany();
    clock = Date.now();
  });

  async function product(stockAvailable: number): Promise<string> {
    skuCounter += 1;
    const sku = `SW-${String(skuCounter).padStart(4, "0")}`;
    await db.prisma.product.create({ data: { sku, name: `Sweeper product ${skuCounter}`, priceCents: 100, stockAvailable } });
    return sku;
  }
  const stockOf = (sku: string) => db.prisma.product.findUniqueOrThrow({ where: { sku }, select: { stockAvailable: true, stockReserved: true } });

  /** Orders as the sweeper sees it: the ids it knows as orders are PLACED, any other id is decided ABANDONED. */
  function ordersKnowing(placed: Set<string>) {
    const questions: string[][] = [];
    return {
      questions,
      settle: async (orderIds: readonly string[]) => {
        questions.push([...orderIds]);
        return Object.fromEntries(orderIds.map((id) => [id, placed.has(id) ? ("PLACED" as const) : ("ABANDONED" as const)]));
      },
    };
  }
  const sweeperWith = (placements: ReturnType<typeof ordersKnowing> | { settle: () => Promise<never> }, extra: { batchSize?: number; maxBatches?: number; onSweep?: (r: SweepResult) => void } = {}) =>
    createReservationSweeper({ db: db.prisma, reservations, placements, graceMs: 60_000, now: () => clock, log: () => undefined, ...extra });

  it("when holds are older than the grace period, then those whose order never appeared are released and the others confirmed, once", async () => {
    const sku = await product(10);
    const [placedId, orphanId] = [randomUUID(), randomUUID()];
    await reservations.reserve(placedId, [{ sku, quantity: 2 }]);
    await reservations.reserve(orphanId, [{ sku, quantity: 3 }]);
    const orders = ordersKnowing(new Set([placedId]));
    const seen: SweepResult[] = [];
    const sweeper = sweeperWith(orders, { onSweep: (result) => seen.push(result) });

    // Within the grace period nothing is asked: an order may still be on its way.
    expect(await sweeper.sweep()).toMatchObject({ checked: 0, released: 0 });
    expect(orders.questions).toEqual([]);

    clock += 61_000;
    expect(await sweeper.sweep()).toEqual({ checked: 2, confirmed: 1, released: 1, unitsReleased: 3, failed: 0 });
    expect(await stockOf(sku)).toEqual({ stockAvailable: 8, stockReserved: 2 });
    expect((await db.prisma.reservation.findUniqueOrThrow({ where: { orderId: orphanId } })).status).toBe("RELEASED");
    expect((await db.prisma.reservation.findUniqueOrThrow({ where: { orderId: placedId } })).confirmedAt).not.toBeNull();

    // The next sweep asks about nothing: the confirmed one is settled, the released one is no longer HELD.
    expect(await sweeper.sweep()).toMatchObject({ checked: 0 });
    expect(orders.questions).toHaveLength(1);
    expect(sweeper.totals).toMatchObject({ checked: 2, confirmed: 1, released: 1, unitsReleased: 3 });
    expect(seen).toHaveLength(1);
  });

  it("when there are more holds than a batch, then one sweep asks in bounded batches, each id once, up to its batch limit", async () => {
    const sku = await product(100);
    const ids = Array.from({ length: 7 }, () => randomUUID());
    for (const id of ids) await reservations.reserve(id, [{ sku, quantity: 1 }]);
    clock += 61_000;
    const orders = ordersKnowing(new Set());
    const sweeper = sweeperWith(orders, { batchSize: 3, maxBatches: 2 });
    expect(await sweeper.sweep()).toMatchObject({ checked: 6, released: 6 });
    expect(orders.questions.map((batch) => batch.length)).toEqual([3, 3]);
    expect(new Set(orders.questions.flat()).size).toBe(6);
    expect(await sweeper.sweep()).toMatchObject({ checked: 1, released: 1 });
    expect(await stockOf(sku)).toEqual({ stockAvailable: 100, stockReserved: 0 });
  });

  it("when orders cannot be reached, then nothing is released, the failure is counted, and the next sweep tries again", async () => {
    const sku = await product(5);
    const id = randomUUID();
    await reservations.reserve(id, [{ sku, quantity: 5 }]);
    clock += 61_000;
    const down = { settle: async () => Promise.reject(new Error("connect ECONNREFUSED")) };
    const logged: string[] = [];
    const sweeper = createReservationSweeper({ db: db.prisma, reservations, placements: down, graceMs: 60_000, now: () => clock, log: (message) => logged.push(message) });
    expect(await sweeper.sweep()).toMatchObject({ checked: 1, released: 0, failed: 1 });
    expect(await sweeper.sweep()).toMatchObject({ failed: 1 });
    // Logged once per outage, not once per sweep.
    expect(logged).toHaveLength(1);
    expect(await stockOf(sku)).toEqual({ stockAvailable: 0, stockReserved: 5 });

    const back = sweeperWith(ordersKnowing(new Set()));
    expect(await back.sweep()).toMatchObject({ released: 1, unitsReleased: 5 });
    expect(await stockOf(sku)).toEqual({ stockAvailable: 5, stockReserved: 0 });
  });

  it("when an order was cancelled or paid meanwhile, then the sweeper leaves its settled reservation alone", async () => {
    const sku = await product(4);
    const [cancelled, paid] = [randomUUID(), randomUUID()];
    await reservations.reserve(cancelled, [{ sku, quantity: 1 }]);
    await reservations.reserve(paid, [{ sku, quantity: 1 }]);
    await reservations.release(cancelled);
    await reservations.commit(paid);
    clock += 61_000;
    const orders = ordersKnowing(new Set());
    expect(await sweeperWith(orders).sweep()).toMatchObject({ checked: 0, released: 0 });
    expect(await stockOf(sku)).toEqual({ stockAvailable: 3, stockReserved: 0 });
  });
});
