import { randomUUID } from "node:crypto";
import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import type { Caller } from "@monograph/platform";
import { errorCodes, executeOnSubgraph } from "@monograph/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeInventory } from "./fake-inventory.ts";
import { createOrderPlacements, createOrdersSubgraph, type CrashPoint } from "./index.ts";
import { attemptOrderId } from "./placement.ts";

// The order placement protocol, orders' side (docs/adr/0011-order-placement-protocol.md): a crash at each point
// of createOrder is simulated by a crash hook that throws, which leaves the state exactly as a dead process would
// (nothing after the point runs); the retry then runs without it.
const customer = (): Caller & { kind: "user" } => ({ kind: "user", userId: randomUUID(), role: "CUSTOMER" });
const CREATE = `mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id status } }`;

class Crash extends Error {}

describe("order placement protocol", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  let inventory: FakeInventory;
  let crashAt: CrashPoint | undefined;
  let subgraph: ReturnType<typeof createOrdersSubgraph>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
    inventory = new FakeInventory().addProduct("KB-1", { priceCents: 4999, available: 1_000 });
    subgraph = createOrdersSubgraph({
      db: db.prisma,
      inventory,
      log: () => undefined,
      onCrashPoint: (point) => {
        if (point === crashAt) throw new Crash(`crashed at ${point}`);
      },
    });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const place = (caller: Caller, key: string) =>
    executeOnSubgraph<{ createOrder: { id: string; status: string } }>(subgraph, CREATE, { caller, variables: { input: { items: [{ sku: "KB-1", quantity: 2 }], idempotencyKey: key } } });
  const heldFor = (caller: Caller & { kind: "user" }, key: string) =>
    [0, 1, 2].filter((attempt) => inventory.held(attemptOrderId(caller.userId, key, attempt))).length;

  it("the order id of an attempt is the same in every process for a customer and key, and differs per customer, key and attempt", () => {
    const a = attemptOrderId("7d5e4c1a-0000-4000-8000-000000000001", "key", 0);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(attemptOrderId("7d5e4c1a-0000-4000-8000-000000000001", "key", 0)).toBe(a);
    expect(new Set([a, attemptOrderId("7d5e4c1a-0000-4000-8000-000000000002", "key", 0), attemptOrderId("7d5e4c1a-0000-4000-8000-000000000001", "key2", 0), attemptOrderId("7d5e4c1a-0000-4000-8000-000000000001", "key", 1)]).size).toBe(4);
  });

  for (const point of ["before-reserve", "after-reserve", "after-order"] as const) {
    it(`when the process dies ${point.replace("-", " ")} and the client retries with the same key, then there is one order and its stock is held once`, async () => {
      const caller = customer();
      crashAt = point;
      const crashed = await place(caller, `crash-${point}`);
      crashAt = undefined;
      expect(crashed.data).toBeNull();
      const retried = await place(caller, `crash-${point}`);
      expect(retried.errors).toBeUndefined();
      expect(retried.data!.createOrder.id).toBe(attemptOrderId(caller.userId, `crash-${point}`, 0));
      expect(await db.prisma.order.count({ where: { customerId: caller.userId } })).toBe(1);
      expect(heldFor(caller, `crash-${point}`)).toBe(1);
    });
  }

  it("when the sweeper's question comes first, then the attempt is ABANDONED for good, and the retry places the order under the next attempt", async () => {
    const caller = customer();
    const placements = createOrderPlacements({ db: db.prisma });
    crashAt = "after-reserve";
    await place(caller, "slow");
    crashAt = undefined;
    const first = attemptOrderId(caller.userId, "slow", 0);
    // Inventory's sweeper asks after the grace period: no order, so it is decided ABANDONED (and released).
    expect(await placements.settle([first])).toEqual({ [first]: "ABANDONED" });
    await inventory.release(first);

    const retried = await place(caller, "slow");
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.createOrder.id).toBe(attemptOrderId(caller.userId, "slow", 1));
    expect(inventory.held(first)).toBe(false);
    expect(heldFor(caller, "slow")).toBe(1);
    // Asking again changes nothing: the answers are final.
    expect(await placements.settle([first, retried.data!.createOrder.id])).toEqual({ [first]: "ABANDONED", [retried.data!.createOrder.id]: "PLACED" });
  });

  it("when an attempt is abandoned while the request is on it, then the request goes on with the next attempt and places the order once", async () => {
    const caller = customer();
    const original = inventory.reserve.bind(inventory);
    let abandonedOnce = false;
    inventory.reserve = async (orderId, lines) => {
      const answer = await original(orderId, lines);
      if (!abandonedOnce) {
        abandonedOnce = true;
        // The sweeper's question lands between the reservation and the order's transaction.
        await createOrderPlacements({ db: db.prisma }).settle([orderId]);
      }
      return answer;
    };
    try {
      const result = await place(caller, "slow-once");
      expect(result.errors).toBeUndefined();
      expect(result.data!.createOrder.id).toBe(attemptOrderId(caller.userId, "slow-once", 1));
    } finally {
      inventory.reserve = original;
    }
    expect(inventory.held(attemptOrderId(caller.userId, "slow-once", 0))).toBe(false);
    expect(heldFor(caller, "slow-once")).toBe(1);
    expect(await db.prisma.order.count({ where: { customerId: caller.userId } })).toBe(1);
  });

  it("when every attempt is abandoned on its way to write the order, then the writes are refused, nothing is ordered, and no stock stays held", async () => {
    const caller = customer();
    const id = attemptOrderId(caller.userId, "raced", 0);
    let abandonedMidway = false;
    const racing = createOrdersSubgraph({
      db: db.prisma,
      inventory,
      log: () => undefined,
      onCrashPoint: (point) => {
        // The sweeper decides between the reservation and the order's transaction.
        if (point === "after-reserve") abandonedMidway = true;
      },
    });
    const original = inventory.reserve.bind(inventory);
    inventory.reserve = async (orderId, lines) => {
      const answer = await original(orderId, lines);
      await createOrderPlacements({ db: db.prisma }).settle([orderId]);
      return answer;
    };
    try {
      const result = await executeOnSubgraph(racing, CREATE, { caller, variables: { input: { items: [{ sku: "KB-1", quantity: 1 }], idempotencyKey: "raced" } } });
      expect(abandonedMidway).toBe(true);
      expect(errorCodes(result)).toEqual(["SERVICE_UNAVAILABLE"]);
    } finally {
      inventory.reserve = original;
    }
    expect(await db.prisma.order.count({ where: { customerId: caller.userId } })).toBe(0);
    expect(inventory.held(id)).toBe(false);
    expect(heldFor(caller, "raced")).toBe(0);
  });
});
