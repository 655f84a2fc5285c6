import { randomUUID } from "node:crypto";
import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { createEvent, RecordingTransport } from "@monograph/events";
import type { Caller } from "@monograph/platform";
import { errorCodes, executeOnSubgraph } from "@monograph/platform/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createBillingSubgraph, registerBillingSubscriptions, SimulatedPaymentProvider, type InvoicePaidPayload } from "./index.ts";

const customer = (): Caller & { kind: "user" } => ({ kind: "user", userId: randomUUID(), role: "CUSTOMER" });
const ADMIN: Caller = { kind: "user", userId: randomUUID(), role: "ADMIN" };

const PAY = `mutation ($id: ID!, $key: String) { payInvoice(invoiceId: $id, idempotencyKey: $key) { id status paidAt payments { status amountCents } } }`;
const INVOICE = `query ($id: ID!) { invoice(id: $id) { id status } }`;

const orderCreated = (order: { orderId?: string; customerId: string; totalCents?: number; currency?: string }) =>
  createEvent({
    source: "orders",
    type: "orders.created",
    payload: {
      orderId: order.orderId ?? randomUUID(),
      customerId: order.customerId,
      totalCents: order.totalCents ?? 2500,
      currency: order.currency ?? "USD",
      placedAt: new Date().toISOString(),
      // Fields billing does not need are ignored, not copied.
      items: [{ sku: "KB-1", quantity: 1, unitPriceCents: 2500 }],
    },
  });
const orderCancelled = (orderId: string) => createEvent({ source: "orders", type: "orders.cancelled", payload: { orderId, customerId: randomUUID(), cancelledAt: new Date().toISOString() } });

describe("billing subgraph", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  let subgraph: ReturnType<typeof createBillingSubgraph>;
  const declined = new Set<string>();
  const provider = new SimulatedPaymentProvider({ decline: (charge) => declined.has(charge.invoiceId) && "card declined" });
  const outbox = { notify: vi.fn() };
  const transport = new RecordingTransport();
  const log = vi.fn();
  let counting = false;
  const statements: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open({ onQuery: (sql) => void (counting && statements.push(sql)) });
    subgraph = createBillingSubgraph({ db: db.prisma, payments: provider, outbox, log: () => undefined });
    await registerBillingSubscriptions(transport, { db: db.prisma, log });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /** Places an order as orders would announce it, and returns billing's invoice for it. */
  const invoiceFor = async (customerId: string, totalCents = 2500) => {
    const event = orderCreated({ customerId, totalCents });
    await transport.deliver(event);
    return db.prisma.invoice.findUniqueOrThrow({ where: { orderId: (event.payload as { orderId: string }).orderId } });
  };
  const pay = (caller: Caller, id: string, key?: string) =>
    executeOnSubgraph<{ payInvoice: { id: string; status: string; paidAt: string | null; payments: { status: string; amountCents: number }[] } }>(subgraph, PAY, {
      caller,
      variables: { id, key },
    });
  const paidEvents = async (invoiceId: string) =>
    (await db.prisma.outboxEvent.findMany({ where: { source: "billing", type: "invoices.paid" } })).filter((event) => (event.payload as { invoiceId: string }).invoiceId === invoiceId);

  describe("opening and voiding invoices from orders' events", () => {
    it("when orders.created arrives, then billing keeps its own summary of the order and opens an invoice; a redelivery changes nothing", async () => {
      expect(transport.subscribedTypes()).toEqual({ billing: ["orders.cancelled", "orders.created"] });
      const alice = customer();
      const event = orderCreated({ customerId: alice.userId, totalCents: 12_345, currency: "EUR" });
      const { orderId } = event.payload as { orderId: string };
      await transport.deliver(event);
      const invoice = await db.prisma.invoice.findUniqueOrThrow({ where: { orderId } });
      expect(invoice).toMatchObject({ customerId: alice.userId, amountCents: 12_345, currency: "EUR", status: "OPEN", paidAt: null, voidedAt: null });
      expect(await db.prisma.orderSummary.findUniqueOrThrow({ where: { orderId } })).toMatchObject({ customerId: alice.userId, totalCents: 12_345, currency: "EUR" });

      await transport.deliver(event);
      expect(await db.prisma.invoice.findMany({ where: { orderId } })).toEqual([invoice]);
    });

    it("when orders.created carries a payload billing cannot read, then it is logged and nothing is written", async () => {
      log.mockClear();
      const orderId = randomUUID();
      await transport.deliver(createEvent({ source: "orders", type: "orders.created", payload: { orderId, customerId: "someone", totalCents: -5 } }));
      expect(await db.prisma.invoice.count({ where: { orderId } })).toBe(0);
      expect(log).toHaveBeenCalledWith(expect.stringContaining("unexpected payload"));
    });

    it("when orders.cancelled arrives, then the OPEN invoice becomes VOID, and it can no longer be paid", async () => {
      const alice = customer();
      const invoice = await invoiceFor(alice.userId);
      await transport.deliver(orderCancelled(invoice.orderId));
      const after = await db.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } });
      expect(after.status).toBe("VOID");
      expect(after.voidedAt).toBeInstanceOf(Date);
      const result = await pay(alice, invoice.id);
      expect(errorCodes(result)).toEqual(["INVALID_STATE_TRANSITION"]);
      expect(result.errors?.[0]?.message).toBe("This invoice is VOID and cannot be paid.");
    });

    it("when orders.cancelled arrives before orders.created, then it fails (to be redelivered) and succeeds once the invoice exists", async () => {
      const alice = customer();
      const created = orderCreated({ customerId: alice.userId });
      const { orderId } = created.payload as { orderId: string };
      const cancelled = orderCancelled(orderId);
      await expect(transport.deliver(cancelled)).rejects.toThrow(/no invoice yet/);
      expect(await db.prisma.processedEvent.count({ where: { eventId: cancelled.id } })).toBe(0);
      await transport.deliver(created);
      await transport.deliver(cancelled);
      expect((await db.prisma.invoice.findUniqueOrThrow({ where: { orderId } })).status).toBe("VOID");
    });

    it("when an order is cancelled after its invoice was paid, then the invoice stays PAID and the case is logged for a refund", async () => {
      const alice = customer();
      const invoice = await invoiceFor(alice.userId);
      await pay(alice, invoice.id);
      log.mockClear();
      await transport.deliver(orderCancelled(invoice.orderId));
      expect((await db.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).status).toBe("PAID");
      expect(log).toHaveBeenCalledWith(expect.stringContaining("needs a refund"));
    });
  });

  describe("paying", () => {
    it("when a customer pays their open invoice, then it is PAID with a SUCCEEDED payment, and invoices.paid is in the outbox", async () => {
      const alice = customer();
      const invoice = await invoiceFor(alice.userId, 4_200);
      outbox.notify.mockClear();
      const result = await pay(alice, invoice.id);
      expect(result.errors).toBeUndefined();
      expect(result.data?.payInvoice).toMatchObject({ id: invoice.id, status: "PAID", paidAt: expect.any(String), payments: [{ status: "SUCCEEDED", amountCents: 4_200 }] });
      const [event, ...more] = await paidEvents(invoice.id);
      expect(more).toEqual([]);
      expect(event?.payload).toEqual({
        invoiceId: invoice.id,
        orderId: invoice.orderId,
        customerId: alice.userId,
        amountCents: 4_200,
        currency: "USD",
        paidAt: result.data!.payInvoice.paidAt!,
      } satisfies InvoicePaidPayload);
      expect(outbox.notify).toHaveBeenCalled();
    });

    it("when a paid invoice is paid again with a new key, then it is INVALID_STATE_TRANSITION and nothing is charged", async () => {
      const alice = customer();
      const invoice = await invoiceFor(alice.userId);
      await pay(alice, invoice.id, "first");
      const charges = provider.charges.size;
      const again = await pay(alice, invoice.id, "second");
      expect(errorCodes(again)).toEqual(["INVALID_STATE_TRANSITION"]);
      expect(provider.charges.size).toBe(charges);
    });

    it("when the same idempotency key is sent twice, then the answers are the same, with one payment, one charge and one event", async () => {
      const alice = customer();
      const invoice = await invoiceFor(alice.userId);
      const first = await pay(alice, invoice.id, "pay-1");
      const second = await pay(alice, invoice.id, "pay-1");
      expect(second).toEqual(first);
      expect(await db.prisma.payment.count({ where: { invoiceId: invoice.id } })).toBe(1);
      expect(provider.takenCharges().filter((charge) => charge.request.invoiceId === invoice.id)).toHaveLength(1);
      expect(await paidEvents(invoice.id)).toHaveLength(1);
    });

    it("when the same key arrives several times at once, then one payment is recorded, every answer is PAID, and money is taken once", async () => {
      const alice = customer();
      const invoice = await invoiceFor(alice.userId);
      const results = await Promise.all([1, 2, 3].map(() => pay(alice, invoice.id, "double-click")));
      for (const result of results) expect(result.data?.payInvoice.status).toBe("PAID");
      expect(await db.prisma.payment.count({ where: { invoiceId: invoice.id } })).toBe(1);
      expect(provider.takenCharges().filter((charge) => charge.request.invoiceId === invoice.id)).toHaveLength(1);
    });

    it("when two different payments race for one invoice, then one wins, the other is INVALID_STATE_TRANSITION, and its charge is refunded", async () => {
      const alice = customer();
      const invoice = await invoiceFor(alice.userId);
      const results = await Promise.all([pay(alice, invoice.id, "tab-1"), pay(alice, invoice.id, "tab-2")]);
      const codes = results.map((result) => errorCodes(result)[0] ?? "OK").sort();
      expect(codes).toEqual(["INVALID_STATE_TRANSITION", "OK"]);
      expect(provider.takenCharges().filter((charge) => charge.request.invoiceId === invoice.id)).toHaveLength(1);
      expect(await paidEvents(invoice.id)).toHaveLength(1);
    });

    it("when the payment is declined, then it is PAYMENT_FAILED, the invoice stays OPEN with a FAILED attempt, and no event is written", async () => {
      const alice = customer();
      const invoice = await invoiceFor(alice.userId);
      declined.add(invoice.id);
      const result = await pay(alice, invoice.id, "card-1");
      expect(errorCodes(result)).toEqual(["PAYMENT_FAILED"]);
      const after = await db.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id }, include: { payments: true } });
      expect(after).toMatchObject({ status: "OPEN", paidAt: null, payments: [{ status: "FAILED", idempotencyKey: "card-1" }] });
      expect(await paidEvents(invoice.id)).toEqual([]);

      // The same key answers the same, without asking the provider again...
      const charges = provider.charges.size;
      declined.delete(invoice.id);
      expect(errorCodes(await pay(alice, invoice.id, "card-1"))).toEqual(["PAYMENT_FAILED"]);
      expect(provider.charges.size).toBe(charges);
      // ...and a new attempt, with a new key, can succeed.
      const retried = await pay(alice, invoice.id, "card-2");
      expect(retried.data?.payInvoice.payments.map((payment) => payment.status)).toEqual(["FAILED", "SUCCEEDED"]);
    });

    it("when an idempotency key is longer than 100 characters, then it is BAD_USER_INPUT", async () => {
      const alice = customer();
      const invoice = await invoiceFor(alice.userId);
      expect(errorCodes(await pay(alice, invoice.id, "k".repeat(101)))).toEqual(["BAD_USER_INPUT"]);
    });
  });

  describe("authorization", () => {
    it("when a customer pays someone else's invoice, then it is NOT_FOUND, as for an unknown one; an admin may pay it", async () => {
      const owner = customer();
      const invoice = await invoiceFor(owner.userId);
      const asOther = await pay(customer(), invoice.id);
      expect(errorCodes(asOther)).toEqual(["NOT_FOUND"]);
      expect((await pay(customer(), randomUUID())).errors?.[0]?.message).toBe(asOther.errors?.[0]?.message);
      expect(errorCodes(await pay({ kind: "anonymous" }, invoice.id))).toEqual(["UNAUTHENTICATED"]);
      expect((await db.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).status).toBe("OPEN");
      expect((await pay(ADMIN, invoice.id)).data?.payInvoice.status).toBe("PAID");
    });

    it("when a customer asks for someone else's invoice, then it reads as null; their own and an admin's view are there", async () => {
      const owner = customer();
      const invoice = await invoiceFor(owner.userId);
      const expected = { invoice: { id: invoice.id, status: "OPEN" } };
      expect((await executeOnSubgraph(subgraph, INVOICE, { caller: owner, variables: { id: invoice.id } })).data).toEqual(expected);
      expect((await executeOnSubgraph(subgraph, INVOICE, { caller: ADMIN, variables: { id: invoice.id } })).data).toEqual(expected);
      expect((await executeOnSubgraph(subgraph, INVOICE, { caller: customer(), variables: { id: invoice.id } })).data).toEqual({ invoice: null });
      expect(errorCodes(await executeOnSubgraph(subgraph, INVOICE, { variables: { id: invoice.id } }))).toEqual(["UNAUTHENTICATED"]);
    });
  });

  describe("entities", () => {
    const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
      ... on Invoice { id status amountCents currency order { id } customer { id } payments { status } }
      ... on Order { id invoice { id status amountCents } }
      ... on User { id invoices(first: 10) { totalCount edges { node { id } } pageInfo { hasNextPage } } }
    } }`;

    it("when the gateway resolves Invoice entities, then visible ones come back with their references; others are null", async () => {
      const alice = customer();
      const mine = await invoiceFor(alice.userId, 999);
      const theirs = await invoiceFor(customer().userId);
      const result = await executeOnSubgraph(subgraph, ENTITIES, {
        caller: alice,
        variables: { representations: [mine, theirs, { id: randomUUID() }, { id: "nope" }].map(({ id }) => ({ __typename: "Invoice", id })) },
      });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({
        _entities: [{ id: mine.id, status: "OPEN", amountCents: 999, currency: "USD", order: { id: mine.orderId }, customer: { id: alice.userId }, payments: [] }, null, null, null],
      });
    });

    it("when the gateway resolves Order entities for billing's field, then each gets its own invoice, or null when it is not the caller's or not opened yet", async () => {
      const alice = customer();
      const mine = await invoiceFor(alice.userId);
      const theirs = await invoiceFor(customer().userId);
      const pending = randomUUID();
      const representations = [mine.orderId, theirs.orderId, pending].map((id) => ({ __typename: "Order", id }));
      const result = await executeOnSubgraph(subgraph, ENTITIES, { caller: alice, variables: { representations } });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({
        _entities: [
          { id: mine.orderId, invoice: { id: mine.id, status: "OPEN", amountCents: 2500 } },
          { id: theirs.orderId, invoice: null },
          { id: pending, invoice: null },
        ],
      });
    });

    it("when the gateway resolves User entities for billing's field, then a customer gets their own invoices and an empty list for anyone else's", async () => {
      const alice = customer();
      const bob = customer();
      const older = await invoiceFor(alice.userId);
      const newer = await invoiceFor(alice.userId);
      await invoiceFor(bob.userId);
      const representations = [alice, bob].map((user) => ({ __typename: "User", id: user.userId }));
      const result = await executeOnSubgraph(subgraph, ENTITIES, { caller: alice, variables: { representations } });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({
        _entities: [
          { id: alice.userId, invoices: { totalCount: 2, edges: [{ node: { id: newer.id } }, { node: { id: older.id } }], pageInfo: { hasNextPage: false } } },
          { id: bob.userId, invoices: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false } } },
        ],
      });
      const asAdmin = await executeOnSubgraph<{ _entities: { invoices: { totalCount: number } }[] }>(subgraph, ENTITIES, { caller: ADMIN, variables: { representations } });
      expect(asAdmin.data?._entities.map((user) => user.invoices.totalCount)).toEqual([2, 1]);
    });
  });

  describe("batched data access", () => {
    const ORDER_INVOICES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Order { invoice { id status amountCents payments { status } } } } }`;

    const countFor = async (caller: Caller, orderIds: string[]) => {
      statements.length = 0;
      counting = true;
      try {
        const result = await executeOnSubgraph<{ _entities: { invoice: { id: string } | null }[] }>(subgraph, ORDER_INVOICES, {
          caller,
          variables: { representations: orderIds.map((id) => ({ __typename: "Order", id })) },
        });
        expect(result.errors).toBeUndefined();
        expect(result.data!._entities.every((order) => order.invoice !== null)).toBe(true);
        return statements.length;
      } finally {
        counting = false;
      }
    };

    it("when the invoices (and their payments) of 5 orders and of 50 orders are resolved, then the same number of SQL statements runs", async () => {
      const few = customer();
      const many = customer();
      const fewOrders: string[] = [];
      const manyOrders: string[] = [];
      for (let i = 0; i < 5; i += 1) fewOrders.push((await invoiceFor(few.userId)).orderId);
      for (let i = 0; i < 50; i += 1) manyOrders.push((await invoiceFor(many.userId)).orderId);
      const small = await countFor(few, fewOrders);
      const large = await countFor(many, manyOrders);
      expect(large).toBe(small);
      // One batch of invoices, one of payments.
      expect(small).toBe(2);
    });
  });
});
