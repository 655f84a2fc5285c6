import { randomUUID } from "node:crypto";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import type { DatabaseHandle } from "@monograph/db";
import { createEvent, handleOnce, RecordingTransport } from "@monograph/events";
import { DomainError } from "@monograph/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInventoryReservations, INVOICE_PAID, ORDER_CANCELLED, registerInventorySubscriptions, type InventoryReservations } from "./index.ts";

/** The error a promise rejects with, for asserting on its code and extensions. */
async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("inventory reservations", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  /** A second connection pool on the same database (PostgreSQL); PGlite serves one client, so there it is `db`. */
  let other: DatabaseHandle;
  let reservations: InventoryReservations;
  let skuCounter = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
    other = testDatabaseKind() === "postgres" ? await database.open() : db;
    reservations = createInventoryReservations({ db: db.prisma });
  });
  afterAll(async () => {
    if (other !== db) await other?.close();
    await db?.close();
    await database?.drop();
  });

  /** A fresh product per test, so tests do not share stock. */
  async function product(stockAvailable: number, priceCents = 1000): Promise<string> {
    skuCounter += 1;
    const sku = `T-${String(skuCounter).padStart(4, "0")}`;
    await db.prisma.product.create({ data: { sku, name: `Test product ${skuCounter}`, priceCents, stockAvailable } });
    return sku;
  }
  const stockOf = (sku: string) => db.prisma.product.findUniqueOrThrow({ where: { sku }, select: { stockAvailable: true, stockReserved: true } });
  const reservationOf = (orderId: string) => db.prisma.reservation.findUnique({ where: { orderId }, include: { lines: { orderBy: { sku: "asc" } } } });

  describe("reserve", () => {
    it("when every line has stock, then the units move to reserved and the captured product data comes back in request order", async () => {
      const a = await product(10, 2500);
      const b = await product(3, 999);
      const orderId = randomUUID();
      const result = await reservations.reserve(orderId, [
        { sku: b, quantity: 3 },
        { sku: a, quantity: 2 },
      ]);
      expect(result).toEqual({
        lines: [
          { sku: b, name: expect.any(String), quantity: 3, unitPriceCents: 999, currency: "USD" },
          { sku: a, name: expect.any(String), quantity: 2, unitPriceCents: 2500, currency: "USD" },
        ],
      });
      expect(await stockOf(a)).toEqual({ stockAvailable: 8, stockReserved: 2 });
      expect(await stockOf(b)).toEqual({ stockAvailable: 0, stockReserved: 3 });
      const reservation = await reservationOf(orderId);
      expect(reservation?.status).toBe("HELD");
      expect(reservation?.lines.map(({ sku, quantity }) => ({ sku, quantity }))).toEqual(
        [
          { sku: a, quantity: 2 },
          { sku: b, quantity: 3 },
        ].sort((x, y) => x.sku.localeCompare(y.sku)),
      );
    });

    it("when the same order reserves again with the same lines, then it gets the same answer and stock does not move again", async () => {
      const sku = await product(5);
      const orderId = randomUUID();
      const first = await reservations.reserve(orderId, [{ sku, quantity: 2 }]);
      const again = await reservations.reserve(orderId, [{ sku, quantity: 2 }]);
      expect(again).toEqual(first);
      expect(await stockOf(sku)).toEqual({ stockAvailable: 3, stockReserved: 2 });
      expect(await db.prisma.reservation.count({ where: { orderId } })).toBe(1);
    });

    it("when the same order reserves again with other lines, then it is a CONFLICT and stock does not move", async () => {
      const sku = await product(5);
      const orderId = randomUUID();
      await reservations.reserve(orderId, [{ sku, quantity: 2 }]);
      const error = await failure(reservations.reserve(orderId, [{ sku, quantity: 3 }]));
      expect(error.extensions.code).toBe("CONFLICT");
      expect(await stockOf(sku)).toEqual({ stockAvailable: 3, stockReserved: 2 });
    });

    it("when one line lacks stock, then nothing is reserved and OUT_OF_STOCK names that line's SKU", async () => {
      const plenty = await product(10);
      const scarce = await product(1);
      const orderId = randomUUID();
      const error = await failure(
        reservations.reserve(orderId, [
          { sku: plenty, quantity: 4 },
          { sku: scarce, quantity: 2 },
        ]),
      );
      expect(error.extensions).toEqual({ code: "OUT_OF_STOCK", sku: scarce });
      expect(error.message).toContain(scarce);
      expect(await stockOf(plenty)).toEqual({ stockAvailable: 10, stockReserved: 0 });
      expect(await stockOf(scarce)).toEqual({ stockAvailable: 1, stockReserved: 0 });
      expect(await reservationOf(orderId)).toBeNull();
    });

    it("when one line names an unknown SKU, then nothing is reserved and NOT_FOUND names it", async () => {
      const sku = await product(10);
      const orderId = randomUUID();
      for (const unknown of ["ZZ-9999", "lower-case"]) {
        const error = await failure(
          reservations.reserve(orderId, [
            { sku, quantity: 1 },
            { sku: unknown, quantity: 1 },
          ]),
        );
        expect(error.extensions).toEqual({ code: "NOT_FOUND", sku: unknown });
      }
      expect(await stockOf(sku)).toEqual({ stockAvailable: 10, stockReserved: 0 });
      expect(await reservationOf(orderId)).toBeNull();
    });

    it.each([
      ["no lines", () => [], "lines"],
      ["51 lines", () => Array.from({ length: 51 }, (_, i) => ({ sku: `X-${i}0`, quantity: 1 })), "lines"],
      ["a zero quantity", (sku: string) => [{ sku, quantity: 0 }], "lines.0.quantity"],
      ["a quantity over 1000", (sku: string) => [{ sku, quantity: 1001 }], "lines.0.quantity"],
      ["a fractional quantity", (sku: string) => [{ sku, quantity: 1.5 }], "lines.0.quantity"],
      ["an empty SKU", () => [{ sku: "", quantity: 1 }], "lines.0.sku"],
      [
        "the same SKU twice",
        (sku: string) => [
          { sku, quantity: 1 },
          { sku, quantity: 2 },
        ],
        "lines.1.sku",
      ],
    ])("when the lines hold %s, then it is BAD_USER_INPUT naming the field, and nothing is reserved", async (_label, lines, field) => {
      const sku = await product(10);
      const orderId = randomUUID();
      const error = await failure(reservations.reserve(orderId, lines(sku)));
      expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(await stockOf(sku)).toEqual({ stockAvailable: 10, stockReserved: 0 });
      expect(await reservationOf(orderId)).toBeNull();
    });

    it("when the order id is not a UUID, then every call is BAD_USER_INPUT", async () => {
      const sku = await product(1);
      for (const call of [reservations.reserve("order-1", [{ sku, quantity: 1 }]), reservations.release("order-1"), reservations.commit("order-1")]) {
        expect((await failure(call)).extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "orderId" });
      }
    });
  });

  describe("release and commit", () => {
    it("when a held reservation is released, then its units return to available, and releasing again changes nothing", async () => {
      const sku = await product(5);
      const orderId = randomUUID();
      await reservations.reserve(orderId, [{ sku, quantity: 3 }]);
      await reservations.release(orderId);
      expect(await stockOf(sku)).toEqual({ stockAvailable: 5, stockReserved: 0 });
      expect((await reservationOf(orderId))?.status).toBe("RELEASED");
      await reservations.release(orderId);
      expect(await stockOf(sku)).toEqual({ stockAvailable: 5, stockReserved: 0 });
    });

    it("when an order without a reservation is released, then nothing happens", async () => {
      await expect(reservations.release(randomUUID())).resolves.toBeUndefined();
    });

    it("when a released order reserves again, then it is INVALID_STATE_TRANSITION and stock does not move", async () => {
      const sku = await product(5);
      const orderId = randomUUID();
      await reservations.reserve(orderId, [{ sku, quantity: 1 }]);
      await reservations.release(orderId);
      expect((await failure(reservations.reserve(orderId, [{ sku, quantity: 1 }]))).extensions.code).toBe("INVALID_STATE_TRANSITION");
      expect(await stockOf(sku)).toEqual({ stockAvailable: 5, stockReserved: 0 });
    });

    it("when a held reservation is committed, then its units leave the stock for good, and committing again changes nothing", async () => {
      const sku = await product(5);
      const orderId = randomUUID();
      const reserved = await reservations.reserve(orderId, [{ sku, quantity: 2 }]);
      await reservations.commit(orderId);
      expect(await stockOf(sku)).toEqual({ stockAvailable: 3, stockReserved: 0 });
      expect((await reservationOf(orderId))?.status).toBe("COMMITTED");
      await reservations.commit(orderId);
      expect(await stockOf(sku)).toEqual({ stockAvailable: 3, stockReserved: 0 });
      // A late retry of the original reserve still gets its answer, without touching stock.
      expect(await reservations.reserve(orderId, [{ sku, quantity: 2 }])).toEqual(reserved);
      expect(await stockOf(sku)).toEqual({ stockAvailable: 3, stockReserved: 0 });
    });

    it("when a committed reservation is released, or a released one committed, then it is INVALID_STATE_TRANSITION and stock does not move", async () => {
      const sku = await product(5);
      const sold = randomUUID();
      const given = randomUUID();
      await reservations.reserve(sold, [{ sku, quantity: 1 }]);
      await reservations.reserve(given, [{ sku, quantity: 1 }]);
      await reservations.commit(sold);
      await reservations.release(given);
      const before = await stockOf(sku);
      expect((await failure(reservations.release(sold))).extensions).toEqual({ code: "INVALID_STATE_TRANSITION", from: "COMMITTED", to: "RELEASED" });
      expect((await failure(reservations.commit(given))).extensions).toEqual({ code: "INVALID_STATE_TRANSITION", from: "RELEASED", to: "COMMITTED" });
      expect(await stockOf(sku)).toEqual(before);
    });

    it("when an order without a reservation is committed, then it is NOT_FOUND", async () => {
      expect((await failure(reservations.commit(randomUUID()))).extensions.code).toBe("NOT_FOUND");
    });

    it("when commit runs inside a transaction that rolls back, then nothing changes; when it commits, the reservation is sold", async () => {
      const sku = await product(4);
      const orderId = randomUUID();
      await reservations.reserve(orderId, [{ sku, quantity: 4 }]);
      const rollback = new Error("the event handler failed after the commit call");
      await expect(
        db.prisma.$transaction(async (tx) => {
          await reservations.commit(orderId, tx);
          throw rollback;
        }),
      ).rejects.toBe(rollback);
      expect((await reservationOf(orderId))?.status).toBe("HELD");
      expect(await stockOf(sku)).toEqual({ stockAvailable: 0, stockReserved: 4 });

      await db.prisma.$transaction((tx) => reservations.commit(orderId, tx));
      expect((await reservationOf(orderId))?.status).toBe("COMMITTED");
      expect(await stockOf(sku)).toEqual({ stockAvailable: 0, stockReserved: 0 });
    });

    it("when release runs inside an event handler's inbox transaction, then the stock and the inbox entry commit together, once", async () => {
      const sku = await product(2);
      const orderId = randomUUID();
      await reservations.reserve(orderId, [{ sku, quantity: 2 }]);
      const event = { id: randomUUID() };
      expect(await handleOnce(db.prisma, "inventory-test", event, (tx) => reservations.release(orderId, tx))).toBe(true);
      expect(await handleOnce(db.prisma, "inventory-test", event, (tx) => reservations.release(orderId, tx))).toBe(false);
      expect(await stockOf(sku)).toEqual({ stockAvailable: 2, stockReserved: 0 });
    });
  });

  describe("events", () => {
    it("when invoices.paid and orders.cancelled arrive, then they commit and release, once each, and an impossible one is acknowledged", async () => {
      const transport = new RecordingTransport();
      const logged: string[] = [];
      await registerInventorySubscriptions(transport, { db: db.prisma, reservations, log: (message) => logged.push(message) });
      const sku = await product(6);
      const paid = randomUUID();
      const cancelled = randomUUID();
      await reservations.reserve(paid, [{ sku, quantity: 2 }]);
      await reservations.reserve(cancelled, [{ sku, quantity: 3 }]);

      const paidEvent = createEvent({ source: "billing", type: INVOICE_PAID.type, payload: { orderId: paid } });
      await transport.deliver(paidEvent);
      await transport.deliver(paidEvent);
      await transport.deliver(createEvent({ source: "orders", type: ORDER_CANCELLED.type, payload: { orderId: cancelled } }));
      expect(await stockOf(sku)).toEqual({ stockAvailable: 4, stockReserved: 0 });

      // A cancellation that crossed the payment: the units are sold, so it is logged and acknowledged.
      await transport.deliver(createEvent({ source: "orders", type: ORDER_CANCELLED.type, payload: { orderId: paid } }));
      expect(await stockOf(sku)).toEqual({ stockAvailable: 4, stockReserved: 0 });
      expect((await reservationOf(paid))?.status).toBe("COMMITTED");
      expect(logged).toHaveLength(1);
    });
  });

  describe("concurrency", () => {
    it("when two orders race for the last unit on two connections, then exactly one gets it and the other is OUT_OF_STOCK", async () => {
      const sku = await product(1);
      const contenders = [createInventoryReservations({ db: db.prisma }), createInventoryReservations({ db: other.prisma })];
      const results = await Promise.allSettled(contenders.map((contender) => contender.reserve(randomUUID(), [{ sku, quantity: 1 }])));
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      const rejected = results.find((result) => result.status === "rejected");
      expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(DomainError);
      expect((rejected as PromiseRejectedResult).reason.extensions).toEqual({ code: "OUT_OF_STOCK", sku });
      expect(await stockOf(sku)).toEqual({ stockAvailable: 0, stockReserved: 1 });
      expect(await db.prisma.reservation.count({ where: { lines: { some: { sku } } } })).toBe(1);
    });

    it("when many orders race for a few units, then exactly that many succeed and stock ends at zero", async () => {
      const sku = await product(3);
      const pools = [db, other];
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => createInventoryReservations({ db: pools[i % 2]!.prisma }).reserve(randomUUID(), [{ sku, quantity: 1 }])),
      );
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(3);
      expect(results.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason.extensions?.code)).toEqual(
        Array(9).fill("OUT_OF_STOCK"),
      );
      expect(await stockOf(sku)).toEqual({ stockAvailable: 0, stockReserved: 3 });
    });

    it("when the same order is reserved twice at once, then stock moves once and both get the same answer", async () => {
      const sku = await product(5);
      const orderId = randomUUID();
      const [first, second] = await Promise.all([
        createInventoryReservations({ db: db.prisma }).reserve(orderId, [{ sku, quantity: 2 }]),
        createInventoryReservations({ db: other.prisma }).reserve(orderId, [{ sku, quantity: 2 }]),
      ]);
      expect(second).toEqual(first);
      expect(await stockOf(sku)).toEqual({ stockAvailable: 3, stockReserved: 2 });
    });

    it("when two orders take the same products in opposite line order at once, then both succeed (no deadlock)", async () => {
      const a = await product(50);
      const b = await product(50);
      const rounds = Array.from({ length: 5 }, (_, i) => [
        createInventoryReservations({ db: db.prisma }).reserve(randomUUID(), [
          { sku: a, quantity: 1 },
          { sku: b, quantity: 1 },
        ]),
        createInventoryReservations({ db: other.prisma }).reserve(randomUUID(), [
          { sku: b, quantity: i + 1 },
          { sku: a, quantity: i + 1 },
        ]),
      ]).flat();
      await Promise.all(rounds);
      expect(await stockOf(a)).toEqual({ stockAvailable: 50 - 5 - 15, stockReserved: 20 });
      expect(await stockOf(b)).toEqual({ stockAvailable: 50 - 5 - 15, stockReserved: 20 });
    });

    it("when a release and a commit of one order race, then exactly one applies and the stock matches it", async () => {
      const sku = await product(4);
      const orderId = randomUUID();
      await reservations.reserve(orderId, [{ sku, quantity: 4 }]);
      const results = await Promise.allSettled([
        createInventoryReservations({ db: db.prisma }).release(orderId),
        createInventoryReservations({ db: other.prisma }).commit(orderId),
      ]);
      const status = (await reservationOf(orderId))?.status;
      expect(await stockOf(sku)).toEqual(status === "RELEASED" ? { stockAvailable: 4, stockReserved: 0 } : { stockAvailable: 0, stockReserved: 0 });
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      expect((results.find((result) => result.status === "rejected") as PromiseRejectedResult).reason.extensions?.code).toBe("INVALID_STATE_TRANSITION");
    });
  });
});
