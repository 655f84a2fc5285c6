import { randomUUID } from "node:crypto";
import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { createEvent, RecordingTransport } from "@monograph/events";
import type { Caller } from "@monograph/platform";
import { errorCodes, executeOnSubgraph } from "@monograph/platform/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FakeInventory } from "./fake-inventory.ts";
import { createOrdersSubgraph, INVOICE_PAID, registerOrdersSubscriptions, type OrderCreatedPayload } from "./index.ts";
import { canTransition } from "./status.ts";

const customer = (): Caller & { kind: "user" } => ({ kind: "user", userId: randomUUID(), role: "CUSTOMER" });
const ADMIN: Caller = { kind: "user", userId: randomUUID(), role: "ADMIN" };

const ORDER_FIELDS = `id status totalCents currency createdAt updatedAt customer { id } items { quantity unitPriceCents lineTotalCents product { sku } }`;
const CREATE = `mutation ($input: CreateOrderInput!) { createOrder(input: $input) { ${ORDER_FIELDS} } }`;
const CANCEL = `mutation ($id: ID!) { cancelOrder(id: $id) { id status } }`;
const ORDER = `query ($id: ID!) { order(id: $id) { id status } }`;
const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
  ... on Order { ${ORDER_FIELDS} }
  ... on User { id orders(first: 100) { totalCount edges { node { id } } } }
} }`;

interface OrderData {
  id: string;
  status: string;
  totalCents: number;
  currency: string;
  customer: { id: string };
  items: { quantity: number; unitPriceCents: number; lineTotalCents: number; product: { sku: string } }[];
}

describe("orders subgraph", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  let inventory: FakeInventory;
  let subgraph: ReturnType<typeof createOrdersSubgraph>;
  const outbox = { notify: vi.fn() };
  let counting = false;
  const statements: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open({ onQuery: (sql) => void (counting && statements.push(sql)) });
    inventory = new FakeInventory()
      .addProduct("KB-1", { name: "Keyboard", priceCents: 4999, available: 1_000_000 })
      .addProduct("MS-1", { name: "Mouse", priceCents: 1999, available: 1_000_000 })
      .addProduct("EU-1", { name: "Euro lamp", priceCents: 2500, currency: "EUR", available: 100 })
      .addProduct("LAST-1", { name: "Last unit", priceCents: 500, available: 1 })
      .addProduct("FEW-1", { name: "Few", priceCents: 100, available: 3 });
    subgraph = createOrdersSubgraph({ db: db.prisma, inventory, outbox, log: () => undefined });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const place = async (caller: Caller, items: { sku: string; quantity: number }[], idempotencyKey?: string) =>
    executeOnSubgraph<{ createOrder: OrderData }>(subgraph, CREATE, { caller, variables: { input: { items, idempotencyKey } } });
  const placeOk = async (caller: Caller, items = [{ sku: "KB-1", quantity: 1 }], idempotencyKey?: string) => {
    const result = await place(caller, items, idempotencyKey);
    expect(result.errors).toBeUndefined();
    return result.data!.createOrder;
  };
  const eventsOf = async (orderId: string) =>
    (await db.prisma.outboxEvent.findMany({ where: { source: "orders" }, orderBy: { occurredAt: "asc" } })).filter(
      (event) => (event.payload as { orderId?: string }).orderId === orderId,
    );

  describe("placing an order", () => {
    it("when a customer orders, then the order is PENDING_PAYMENT with captured prices, its stock is held, and orders.created is in the outbox", async () => {
      const alice = customer();
      outbox.notify.mockClear();
      const order = await placeOk(alice, [
        { sku: "KB-1", quantity: 2 },
        { sku: "MS-1", quantity: 1 },
      ]);
      expect(order).toMatchObject({
        status: "PENDING_PAYMENT",
        totalCents: 2 * 4999 + 1999,
        currency: "USD",
        customer: { id: alice.userId },
        items: [
          { quantity: 2, unitPriceCents: 4999, lineTotalCents: 9998, product: { sku: "KB-1" } },
          { quantity: 1, unitPriceCents: 1999, lineTotalCents: 1999, product: { sku: "MS-1" } },
        ],
      });
      expect(inventory.held(order.id)).toBe(true);
      const [event, ...more] = await eventsOf(order.id);
      expect(more).toEqual([]);
      expect(event).toMatchObject({ type: "orders.created", source: "orders", publishedAt: null });
      expect(event!.payload).toEqual({
        orderId: order.id,
        customerId: alice.userId,
        totalCents: 11997,
        currency: "USD",
        placedAt: expect.any(String),
        items: [
          { sku: "KB-1", quantity: 2, unitPriceCents: 4999 },
          { sku: "MS-1", quantity: 1, unitPriceCents: 1999 },
        ],
      } satisfies OrderCreatedPayload);
      expect(outbox.notify).toHaveBeenCalled();
    });

    it("when a price changes after the order was placed, then the order keeps the captured price", async () => {
      inventory.addProduct("PRICE-1", { priceCents: 700, available: 10 });
      const order = await placeOk(customer(), [{ sku: "PRICE-1", quantity: 1 }]);
      inventory.products.get("PRICE-1")!.priceCents = 900;
      const again = await executeOnSubgraph<{ _entities: OrderData[] }>(subgraph, ENTITIES, { caller: ADMIN, variables: { representations: [{ __typename: "Order", id: order.id }] } });
      expect(again.data?._entities[0]?.items[0]?.unitPriceCents).toBe(700);
    });

    it.each([
      ["no lines", [], "items"],
      ["51 lines", Array.from({ length: 51 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 })), "items"],
      ["a zero quantity", [{ sku: "KB-1", quantity: 0 }], "items.0.quantity"],
      ["a quantity over 1000", [{ sku: "KB-1", quantity: 1001 }], "items.0.quantity"],
      ["a blank SKU", [{ sku: "  ", quantity: 1 }], "items.0.sku"],
      ["the same SKU twice", [{ sku: "KB-1", quantity: 1 }, { sku: "KB-1", quantity: 2 }], "items.1.sku"],
    ])("when the input has %s, then it is BAD_USER_INPUT and nothing is reserved or stored", async (_label, items, field) => {
      const heldBefore = inventory.heldCount();
      const ordersBefore = await db.prisma.order.count();
      const result = await place(customer(), items);
      expect(errorCodes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
      expect(inventory.heldCount()).toBe(heldBefore);
      expect(await db.prisma.order.count()).toBe(ordersBefore);
    });

    it("when an idempotency key is longer than 100 characters, then it is BAD_USER_INPUT", async () => {
      const result = await place(customer(), [{ sku: "KB-1", quantity: 1 }], "k".repeat(101));
      expect(errorCodes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.extensions?.field).toBe("idempotencyKey");
    });

    it("when nobody is signed in, then it is UNAUTHENTICATED; a service cannot place orders either", async () => {
      expect(errorCodes(await place({ kind: "anonymous" }, [{ sku: "KB-1", quantity: 1 }]))).toEqual(["UNAUTHENTICATED"]);
      expect(errorCodes(await place({ kind: "service", service: "billing" }, [{ sku: "KB-1", quantity: 1 }]))).toEqual(["FORBIDDEN"]);
    });

    it("when a line lacks stock, then it is OUT_OF_STOCK naming the SKU, and no line is reserved", async () => {
      const before = inventory.products.get("KB-1")!.available;
      const result = await place(customer(), [
        { sku: "KB-1", quantity: 1 },
        { sku: "FEW-1", quantity: 4 },
      ]);
      expect(errorCodes(result)).toEqual(["OUT_OF_STOCK"]);
      expect(result.errors?.[0]?.extensions?.sku).toBe("FEW-1");
      expect(inventory.products.get("KB-1")!.available).toBe(before);
    });

    it("when two customers order the last unit at the same moment, then exactly one gets it and the other is OUT_OF_STOCK", async () => {
      const results = await Promise.all([customer(), customer()].map((caller) => place(caller, [{ sku: "LAST-1", quantity: 1 }])));
      const codes = results.map((result) => errorCodes(result)[0] ?? "OK").sort();
      expect(codes).toEqual(["OK", "OUT_OF_STOCK"]);
      expect(inventory.products.get("LAST-1")!.available).toBe(0);
    });

    it("when the products are priced in different currencies, then it is refused and the reservation is released", async () => {
      const before = inventory.products.get("EU-1")!.available;
      const result = await place(customer(), [
        { sku: "KB-1", quantity: 1 },
        { sku: "EU-1", quantity: 1 },
      ]);
      expect(errorCodes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.message).toMatch(/EUR, USD/);
      expect(inventory.products.get("EU-1")!.available).toBe(before);
    });

    it("when storing the order fails, then the reservation is released (compensation) and neither order nor event remains", async () => {
      // A negative price makes the total break the orders_total_non_negative CHECK inside the transaction.
      inventory.addProduct("BROKEN-1", { priceCents: -100, available: 5 });
      const caller = customer();
      const result = await place(caller, [{ sku: "BROKEN-1", quantity: 1 }]);
      // An uncoded error: the server's error formatting turns it into a generic INTERNAL_SERVER_ERROR.
      expect(result.data).toBeNull();
      expect(errorCodes(result)).toEqual([undefined]);
      expect(inventory.products.get("BROKEN-1")!.available).toBe(5);
      expect([...inventory.reservations.values()].filter((r) => r.lines[0]?.sku === "BROKEN-1").map((r) => r.status)).toEqual(["RELEASED"]);
      expect(await db.prisma.order.count({ where: { customerId: caller.userId } })).toBe(0);
      const events = await db.prisma.outboxEvent.findMany({ where: { source: "orders" } });
      expect(events.filter((event) => (event.payload as { customerId?: string }).customerId === caller.userId)).toEqual([]);
    });

    it("when inventory cannot be reached, then it is SERVICE_UNAVAILABLE without any internal detail", async () => {
      inventory.unavailable = true;
      try {
        const result = await place(customer(), [{ sku: "KB-1", quantity: 1 }]);
        expect(errorCodes(result)).toEqual(["SERVICE_UNAVAILABLE"]);
      } finally {
        inventory.unavailable = false;
      }
    });
  });

  describe("retrying createOrder", () => {
    it("when the same idempotency key is sent twice, then both answers are the same order and it was placed once", async () => {
      const caller = customer();
      const first = await placeOk(caller, [{ sku: "MS-1", quantity: 3 }], "checkout-1");
      const second = await placeOk(caller, [{ sku: "MS-1", quantity: 3 }], "checkout-1");
      expect(second).toEqual(first);
      expect(await db.prisma.order.count({ where: { customerId: caller.userId } })).toBe(1);
      expect(await eventsOf(first.id)).toHaveLength(1);
      // Another customer's identical key is their own.
      const other = await placeOk(customer(), [{ sku: "MS-1", quantity: 3 }], "checkout-1");
      expect(other.id).not.toBe(first.id);
    });

    it("when a key is reused for different items, then it is a CONFLICT and nothing new is placed", async () => {
      const caller = customer();
      await placeOk(caller, [{ sku: "MS-1", quantity: 1 }], "checkout-2");
      const result = await place(caller, [{ sku: "MS-1", quantity: 2 }], "checkout-2");
      expect(errorCodes(result)).toEqual(["CONFLICT"]);
      expect(await db.prisma.order.count({ where: { customerId: caller.userId } })).toBe(1);
    });

    it("when the same key arrives several times at once, then one order is placed, all answers name it, and no stock stays held for the others", async () => {
      const caller = customer();
      const heldBefore = inventory.heldCount();
      const results = await Promise.all([1, 2, 3].map(() => place(caller, [{ sku: "KB-1", quantity: 1 }], "double-click")));
      for (const result of results) expect(result.errors).toBeUndefined();
      const ids = new Set(results.map((result) => result.data!.createOrder.id));
      expect(ids.size).toBe(1);
      expect(await db.prisma.order.count({ where: { customerId: caller.userId } })).toBe(1);
      expect(inventory.heldCount()).toBe(heldBefore + 1);
    });
  });

  describe("cancelling an order", () => {
    it("when a customer cancels their pending order, then it is CANCELLED and orders.cancelled is in the outbox", async () => {
      const caller = customer();
      const order = await placeOk(caller);
      outbox.notify.mockClear();
      const result = await executeOnSubgraph(subgraph, CANCEL, { caller, variables: { id: order.id } });
      expect(result).toEqual({ data: { cancelOrder: { id: order.id, status: "CANCELLED" } } });
      const events = await eventsOf(order.id);
      expect(events.map((event) => event.type)).toEqual(["orders.created", "orders.cancelled"]);
      expect(events[1]!.payload).toEqual({ orderId: order.id, customerId: caller.userId, cancelledAt: expect.any(String) });
      expect(outbox.notify).toHaveBeenCalled();
    });

    it("when a cancelled order is cancelled again (a retry), then it answers the cancelled order and no second event is written", async () => {
      const caller = customer();
      const order = await placeOk(caller);
      await executeOnSubgraph(subgraph, CANCEL, { caller, variables: { id: order.id } });
      const again = await executeOnSubgraph(subgraph, CANCEL, { caller, variables: { id: order.id } });
      expect(again).toEqual({ data: { cancelOrder: { id: order.id, status: "CANCELLED" } } });
      expect((await eventsOf(order.id)).map((event) => event.type)).toEqual(["orders.created", "orders.cancelled"]);
    });

    it("when a cancellation is sent twice at once, then both answer the cancelled order and one event is written", async () => {
      const caller = customer();
      const order = await placeOk(caller);
      const results = await Promise.all([1, 2].map(() => executeOnSubgraph(subgraph, CANCEL, { caller, variables: { id: order.id } })));
      for (const result of results) expect(result).toEqual({ data: { cancelOrder: { id: order.id, status: "CANCELLED" } } });
      expect((await eventsOf(order.id)).map((event) => event.type)).toEqual(["orders.created", "orders.cancelled"]);
    });

    it("when a customer tries to cancel someone else's order, then it is NOT_FOUND, as if it did not exist; an admin can", async () => {
      const order = await placeOk(customer());
      const asOther = await executeOnSubgraph(subgraph, CANCEL, { caller: customer(), variables: { id: order.id } });
      expect(errorCodes(asOther)).toEqual(["NOT_FOUND"]);
      const unknown = await executeOnSubgraph(subgraph, CANCEL, { caller: customer(), variables: { id: randomUUID() } });
      expect(unknown.errors?.[0]?.message).toBe(asOther.errors?.[0]?.message);
      const asAdmin = await executeOnSubgraph(subgraph, CANCEL, { caller: ADMIN, variables: { id: order.id } });
      expect(asAdmin.data).toEqual({ cancelOrder: { id: order.id, status: "CANCELLED" } });
    });

    it("the state machine allows exactly PENDING_PAYMENT -> PAID and PENDING_PAYMENT -> CANCELLED", () => {
      const statuses = ["PENDING_PAYMENT", "PAID", "CANCELLED"] as const;
      const allowed = statuses.flatMap((from) => statuses.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
      expect(allowed).toEqual(["PENDING_PAYMENT->PAID", "PENDING_PAYMENT->CANCELLED"]);
    });
  });

  describe("events from billing", () => {
    const paid = (orderId: string, id = randomUUID()) =>
      createEvent({ id, source: "billing", type: INVOICE_PAID.type, payload: { invoiceId: randomUUID(), orderId, customerId: randomUUID(), amountCents: 1, currency: "USD", paidAt: new Date().toISOString() } });

    it("when invoices.paid arrives, then the order is PAID; delivering it again changes nothing", async () => {
      const transport = new RecordingTransport();
      await registerOrdersSubscriptions(transport, { db: db.prisma, log: () => undefined });
      expect(transport.subscribedTypes()).toEqual({ orders: ["invoices.paid"] });
      const caller = customer();
      const order = await placeOk(caller);
      const event = paid(order.id);
      await transport.deliver(event);
      const after = await db.prisma.order.findUniqueOrThrow({ where: { id: order.id } });
      expect(after.status).toBe("PAID");
      await transport.deliver(event);
      expect(await db.prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toEqual(after);
      expect(await db.prisma.processedEvent.count({ where: { consumer: "orders", eventId: event.id } })).toBe(1);

      const cancel = await executeOnSubgraph(subgraph, CANCEL, { caller, variables: { id: order.id } });
      expect(errorCodes(cancel)).toEqual(["INVALID_STATE_TRANSITION"]);
    });

    it("when a payment arrives for an order already cancelled, or an unknown order, or with a malformed payload, then it is logged and nothing changes", async () => {
      const transport = new RecordingTransport();
      const log = vi.fn();
      await registerOrdersSubscriptions(transport, { db: db.prisma, log });
      const caller = customer();
      const order = await placeOk(caller);
      await executeOnSubgraph(subgraph, CANCEL, { caller, variables: { id: order.id } });
      await transport.deliver(paid(order.id));
      await transport.deliver(paid(randomUUID()));
      await transport.deliver(createEvent({ source: "billing", type: INVOICE_PAID.type, payload: { orderId: "nope" } }));
      expect((await db.prisma.order.findUniqueOrThrow({ where: { id: order.id } })).status).toBe("CANCELLED");
      expect(log.mock.calls.map(([message]) => String(message))).toEqual([
        expect.stringContaining("needs a refund"),
        expect.stringContaining("unknown order"),
        expect.stringContaining("unexpected payload"),
      ]);
    });
  });

  describe("reading orders", () => {
    it("when a customer asks for their order, then they get it; someone else's reads as null; anonymous is UNAUTHENTICATED", async () => {
      const caller = customer();
      const order = await placeOk(caller);
      expect((await executeOnSubgraph(subgraph, ORDER, { caller, variables: { id: order.id } })).data).toEqual({ order: { id: order.id, status: "PENDING_PAYMENT" } });
      expect((await executeOnSubgraph(subgraph, ORDER, { caller: customer(), variables: { id: order.id } })).data).toEqual({ order: null });
      expect((await executeOnSubgraph(subgraph, ORDER, { caller: ADMIN, variables: { id: order.id } })).data).toEqual({ order: { id: order.id, status: "PENDING_PAYMENT" } });
      expect((await executeOnSubgraph(subgraph, ORDER, { caller: customer(), variables: { id: "not-a-uuid" } })).data).toEqual({ order: null });
      expect(errorCodes(await executeOnSubgraph(subgraph, ORDER, { variables: { id: order.id } }))).toEqual(["UNAUTHENTICATED"]);
    });

    it("when listing all orders, then admins may and customers are FORBIDDEN", async () => {
      const query = `{ orders(first: 5, status: PENDING_PAYMENT) { totalCount edges { node { status } } } }`;
      const asAdmin = await executeOnSubgraph<{ orders: { totalCount: number; edges: { node: { status: string } }[] } }>(subgraph, query, { caller: ADMIN });
      expect(asAdmin.errors).toBeUndefined();
      expect(asAdmin.data!.orders.totalCount).toBeGreaterThan(0);
      expect(new Set(asAdmin.data!.orders.edges.map((edge) => edge.node.status))).toEqual(new Set(["PENDING_PAYMENT"]));
      expect(errorCodes(await executeOnSubgraph(subgraph, query, { caller: customer() }))).toEqual(["FORBIDDEN"]);
    });

    it("when a customer pages through their orders, then each appears once, newest first, and the status filter applies", async () => {
      const caller = customer();
      const placed: string[] = [];
      for (let i = 0; i < 5; i += 1) placed.push((await placeOk(caller)).id);
      await executeOnSubgraph(subgraph, CANCEL, { caller, variables: { id: placed[0] } });
      const seen: string[] = [];
      let after: string | null = null;
      const query = `query ($representations: [_Any!]!, $after: String) { _entities(representations: $representations) { ... on User { orders(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } } }`;
      for (;;) {
        type Page = { _entities: { orders: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }[] };
        const page: Awaited<ReturnType<typeof executeOnSubgraph<Page>>> = await executeOnSubgraph<Page>(subgraph, query, {
          caller,
          variables: { representations: [{ __typename: "User", id: caller.userId }], after },
        });
        expect(page.errors).toBeUndefined();
        const orders = page.data!._entities[0]!.orders;
        seen.push(...orders.edges.map((edge) => edge.node.id));
        if (!orders.pageInfo.hasNextPage) break;
        after = orders.pageInfo.endCursor;
      }
      expect(seen).toEqual([...placed].reverse());
      const cancelled = await executeOnSubgraph<{ _entities: { orders: { edges: { node: { id: string } }[] } }[] }>(
        subgraph,
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { orders(status: CANCELLED) { edges { node { id } } } } } }`,
        { caller, variables: { representations: [{ __typename: "User", id: caller.userId }] } },
      );
      expect(cancelled.data?._entities[0]?.orders.edges.map((edge) => edge.node.id)).toEqual([placed[0]]);
      expect(errorCodes(await executeOnSubgraph(subgraph, `{ orders(after: "garbage") { totalCount } }`, { caller: ADMIN }))).toEqual(["BAD_USER_INPUT"]);
    });
  });

  describe("entities", () => {
    it("when the gateway resolves Order entities, then visible ones come back in order, with items and references; others are null", async () => {
      const alice = customer();
      const mine = await placeOk(alice, [
        { sku: "MS-1", quantity: 2 },
        { sku: "KB-1", quantity: 1 },
      ]);
      const theirs = await placeOk(customer());
      const result = await executeOnSubgraph<{ _entities: (OrderData | null)[] }>(subgraph, ENTITIES, {
        caller: alice,
        variables: {
          representations: [
            { __typename: "Order", id: mine.id },
            { __typename: "Order", id: theirs.id },
            { __typename: "Order", id: randomUUID() },
            { __typename: "Order", id: "not-a-uuid" },
          ],
        },
      });
      expect(result.errors).toBeUndefined();
      expect(result.data!._entities).toEqual([mine, null, null, null]);
      expect(mine.items.map((item) => item.product.sku)).toEqual(["MS-1", "KB-1"]);
      expect(mine.customer).toEqual({ id: alice.userId });
    });

    it("when the gateway resolves User entities for orders' fields, then a customer gets their own orders and an empty list for anyone else's", async () => {
      const alice = customer();
      const bob = customer();
      const order = await placeOk(alice);
      await placeOk(bob);
      const representations = [
        { __typename: "User", id: alice.userId },
        { __typename: "User", id: bob.userId },
      ];
      const asAlice = await executeOnSubgraph(subgraph, ENTITIES, { caller: alice, variables: { representations } });
      expect(asAlice.errors).toBeUndefined();
      expect(asAlice.data).toEqual({
        _entities: [
          { id: alice.userId, orders: { totalCount: 1, edges: [{ node: { id: order.id } }] } },
          { id: bob.userId, orders: { totalCount: 0, edges: [] } },
        ],
      });
      const asAdmin = await executeOnSubgraph<{ _entities: { orders: { totalCount: number } }[] }>(subgraph, ENTITIES, { caller: ADMIN, variables: { representations } });
      expect(asAdmin.data!._entities.map((user) => user.orders.totalCount)).toEqual([1, 1]);
    });
  });

  describe("batched data access", () => {
    const MY_ORDERS = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User {
      orders(first: 100) { edges { node { id status totalCents customer { id } items { quantity unitPriceCents product { sku } } } } }
    } } }`;

    const countStatements = async (caller: Caller & { kind: "user" }) => {
      statements.length = 0;
      counting = true;
      try {
        const result = await executeOnSubgraph<{ _entities: { orders: { edges: unknown[] } }[] }>(subgraph, MY_ORDERS, {
          caller,
          variables: { representations: [{ __typename: "User", id: caller.userId }] },
        });
        expect(result.errors).toBeUndefined();
        return { orders: result.data!._entities[0]!.orders.edges.length, statements: statements.length };
      } finally {
        counting = false;
      }
    };

    it("when a customer with 5 orders and one with 50 list them with their items, then the same number of SQL statements runs", async () => {
      const few = customer();
      const many = customer();
      const lines = [
        { sku: "KB-1", quantity: 1 },
        { sku: "MS-1", quantity: 2 },
      ];
      for (let i = 0; i < 5; i += 1) await placeOk(few, lines);
      for (let i = 0; i < 50; i += 1) await placeOk(many, lines);
      const small = await countStatements(few);
      const large = await countStatements(many);
      expect(small.orders).toBe(5);
      expect(large.orders).toBe(50);
      expect(large.statements).toBe(small.statements);
      // One page of orders, one batch of items.
      expect(small.statements).toBe(2);
    });
  });
});
