import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { createEvent, RecordingTransport, type IntegrationEvent } from "@monograph/events";
import type { Caller } from "@monograph/platform";
import { errorCodes, executeOnSubgraph } from "@monograph/platform/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createNotificationsDomain, FileNotifier, registerNotificationsSubscriptions, type NotificationsDomain } from "./index.ts";

const customer = (): Caller & { kind: "user" } => ({ kind: "user", userId: randomUUID(), role: "CUSTOMER" });
const ADMIN: Caller & { kind: "user" } = { kind: "user", userId: randomUUID(), role: "ADMIN" };

// The producers' payloads as orders and billing publish them (their contracts: apps/orders-subgraph/src/contracts.ts,
// apps/billing-subgraph/src/contracts.ts), written out here as they arrive on the wire, names included.
const orderCreated = (customerId: string, order: { orderId?: string; totalCents?: number; currency?: string } = {}) =>
  createEvent({
    source: "orders",
    type: "orders.created",
    payload: {
      orderId: order.orderId ?? randomUUID(),
      customerId,
      totalCents: order.totalCents ?? 2500,
      currency: order.currency ?? "USD",
      placedAt: new Date().toISOString(),
      items: [{ sku: "KB-1", quantity: 1, unitPriceCents: order.totalCents ?? 2500 }],
    },
  });
const invoicePaid = (customerId: string, orderId: string, invoiceId = randomUUID()) =>
  createEvent({
    source: "billing",
    type: "invoices.paid",
    payload: { invoiceId, orderId, customerId, amountCents: 4200, currency: "EUR", paidAt: new Date().toISOString() },
  });
const orderCancelled = (customerId: string, orderId: string) =>
  createEvent({ source: "orders", type: "orders.cancelled", payload: { orderId, customerId, cancelledAt: new Date().toISOString() } });

const NOTIFICATIONS = `query ($id: _Any!, $first: Int, $after: String, $unreadOnly: Boolean) {
  _entities(representations: [$id]) { ... on User { notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    totalCount edges { cursor node { id kind message createdAt readAt order { id } invoice { id } } } pageInfo { hasNextPage endCursor }
  } } }
}`;
const MARK_READ = `mutation ($id: ID!) { markNotificationRead(id: $id) { id kind readAt } }`;

interface NotificationNode {
  id: string;
  kind: string;
  message: string;
  createdAt: string;
  readAt: string | null;
  order: { id: string };
  invoice: { id: string } | null;
}
interface Page {
  totalCount: number;
  edges: { cursor: string; node: NotificationNode }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe("notifications subgraph", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  let domain: NotificationsDomain;
  let dir: string;
  const transport = new RecordingTransport();
  const eventsLog = vi.fn();

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
    dir = mkdtempSync(path.join(tmpdir(), "monograph-notifications-"));
    domain = createNotificationsDomain({ db: db.prisma, notifier: new FileNotifier(dir), log: () => undefined });
    await domain.subscribe(transport);
  });
  afterAll(async () => {
    await domain?.delivery.stop();
    await db?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Delivers an event as the transport would, then waits for the deliveries it started. */
  const deliver = async (event: IntegrationEvent) => {
    await transport.deliver(event);
    await domain.delivery.idle();
  };
  const notificationsOf = async (caller: Caller, userId: string, args: { first?: number; after?: string | null; unreadOnly?: boolean } = {}) =>
    executeOnSubgraph<{ _entities: { notifications: Page }[] }>(domain.subgraph, NOTIFICATIONS, { caller, variables: { id: { __typename: "User", id: userId }, ...args } });
  const pageOf = async (caller: Caller & { kind: "user" }, args: { first?: number; after?: string | null; unreadOnly?: boolean } = {}) => {
    const result = await notificationsOf(caller, caller.userId, args);
    expect(result.errors).toBeUndefined();
    return result.data!._entities[0]!.notifications;
  };
  const markRead = (caller: Caller, id: string) =>
    executeOnSubgraph<{ markNotificationRead: { id: string; kind: string; readAt: string | null } | null }>(domain.subgraph, MARK_READ, { caller, variables: { id } });
  const filesFor = (notificationId: string) => readdirSync(dir).filter((file) => file.endsWith(`-${notificationId}.json`));

  describe("events make notifications", () => {
    it("subscribes to the three events it turns into notifications, under its own consumer name", () => {
      expect(transport.subscribedTypes()).toEqual({ notifications: ["invoices.paid", "orders.cancelled", "orders.created"] });
    });

    it("when an order is placed, paid and cancelled, then its customer has the three notifications, newest first, each with its text and references", async () => {
      const alice = customer();
      const placed = orderCreated(alice.userId, { totalCents: 2500, currency: "USD" });
      const { orderId } = placed.payload as { orderId: string };
      const invoiceId = randomUUID();
      await deliver(placed);
      await deliver(invoicePaid(alice.userId, orderId, invoiceId));
      await deliver(orderCancelled(alice.userId, orderId));

      const page = await pageOf(alice);
      const short = `#${orderId.slice(0, 8)}`;
      expect(page.totalCount).toBe(3);
      expect(page.edges.map((edge) => edge.node)).toEqual([
        { id: expect.any(String), kind: "ORDER_CANCELLED", message: `Your order ${short} has been cancelled.`, createdAt: expect.any(String), readAt: null, order: { id: orderId }, invoice: null },
        {
          id: expect.any(String),
          kind: "INVOICE_PAID",
          message: `We received your payment of EUR 42.00 for order ${short}. Thank you!`,
          createdAt: expect.any(String),
          readAt: null,
          order: { id: orderId },
          invoice: { id: invoiceId },
        },
        { id: expect.any(String), kind: "ORDER_PLACED", message: `Your order ${short} has been placed: USD 25.00.`, createdAt: expect.any(String), readAt: null, order: { id: orderId }, invoice: null },
      ]);
    });

    it("when the same event is delivered again (at-least-once transport), then there is still one notification, delivered once", async () => {
      const alice = customer();
      const event = orderCreated(alice.userId);
      await deliver(event);
      await deliver(event);
      await Promise.all([transport.deliver(event), transport.deliver(event)]);
      await domain.delivery.idle();
      const rows = await db.prisma.notification.findMany({ where: { customerId: alice.userId } });
      expect(rows).toHaveLength(1);
      expect(filesFor(rows[0]!.id)).toHaveLength(1);
      expect(rows[0]).toMatchObject({ deliveryAttempts: 1, deliveredAt: expect.any(Date) });
    });

    it("when an event's payload is not one notifications can read, then it is logged, acknowledged and makes nothing", async () => {
      const quietDomain = createNotificationsDomain({ db: db.prisma, notifier: null });
      const recording = new RecordingTransport();
      await registerNotificationsSubscriptions(recording, { db: db.prisma, delivery: quietDomain.delivery, log: eventsLog });
      const someone = randomUUID();
      await recording.deliver(createEvent({ source: "orders", type: "orders.created", payload: { orderId: randomUUID(), customerId: someone, totalCents: -1, currency: "USD" } }));
      await recording.deliver(createEvent({ source: "billing", type: "invoices.paid", payload: { orderId: randomUUID(), customerId: someone } }));
      await recording.deliver(createEvent({ source: "orders", type: "orders.cancelled", payload: { orderId: "not-a-uuid", customerId: someone } }));
      expect(await db.prisma.notification.count({ where: { customerId: someone } })).toBe(0);
      expect(eventsLog).toHaveBeenCalledTimes(3);
      expect(eventsLog).toHaveBeenCalledWith(expect.stringContaining("unexpected payload"));
    });
  });

  describe("delivery", () => {
    it("when a notification is made, then the file notifier writes one file with what the customer would receive", async () => {
      const alice = customer();
      const event = orderCreated(alice.userId, { totalCents: 1999 });
      await deliver(event);
      const row = await db.prisma.notification.findFirstOrThrow({ where: { customerId: alice.userId } });
      const [file, ...more] = filesFor(row.id);
      expect(more).toEqual([]);
      expect(JSON.parse(readFileSync(path.join(dir, file!), "utf8"))).toEqual({
        id: row.id,
        customerId: alice.userId,
        kind: "ORDER_PLACED",
        subject: "Order placed",
        message: row.message,
        orderId: (event.payload as { orderId: string }).orderId,
        invoiceId: null,
        createdAt: row.createdAt.toISOString(),
      });
      expect(row.message).toContain("USD 19.99");
    });
  });

  describe("reading and paging", () => {
    it("when a customer has more notifications than a page, then pages follow each other by cursor, newest first, with no gap or repeat", async () => {
      const alice = customer();
      for (let i = 0; i < 5; i += 1) await deliver(orderCreated(alice.userId));
      const all = (await pageOf(alice, { first: 10 })).edges.map((edge) => edge.node.id);
      expect(all).toHaveLength(5);
      const times = (await pageOf(alice, { first: 10 })).edges.map((edge) => edge.node.createdAt);
      expect([...times].sort().reverse()).toEqual(times);

      const first = await pageOf(alice, { first: 2 });
      expect(first.totalCount).toBe(5);
      expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[1]!.cursor });
      const second = await pageOf(alice, { first: 2, after: first.pageInfo.endCursor });
      const third = await pageOf(alice, { first: 2, after: second.pageInfo.endCursor });
      expect(third.pageInfo.hasNextPage).toBe(false);
      expect([...first.edges, ...second.edges, ...third.edges].map((edge) => edge.node.id)).toEqual(all);
    });

    it("when a client sends back a cursor it was given earlier, then it still marks the same place (a cursor is base64url JSON of [createdAt, id], unchanged)", async () => {
      const alice = customer();
      for (let i = 0; i < 3; i += 1) await deliver(orderCreated(alice.userId));
      const [newest, ...older] = (await pageOf(alice)).edges;
      // Written out by hand, as an older release issued it: clients may hold such cursors.
      const issuedEarlier = Buffer.from(JSON.stringify([newest!.node.createdAt, newest!.node.id]), "utf8").toString("base64url");
      expect(newest!.cursor).toBe(issuedEarlier);
      expect((await pageOf(alice, { after: issuedEarlier })).edges.map((edge) => edge.node.id)).toEqual(older.map((edge) => edge.node.id));
    });

    it("when `first` is above 100 or negative, or `after` is not a cursor this API issued, then it is BAD_USER_INPUT", async () => {
      const alice = customer();
      expect(errorCodes(await notificationsOf(alice, alice.userId, { first: 101 }))).toEqual(["BAD_USER_INPUT"]);
      expect(errorCodes(await notificationsOf(alice, alice.userId, { first: -1 }))).toEqual(["BAD_USER_INPUT"]);
      expect(errorCodes(await notificationsOf(alice, alice.userId, { after: "bm9wZQ" }))).toEqual(["BAD_USER_INPUT"]);
      expect((await pageOf(alice, { first: 100 })).edges).toEqual([]);
    });

    it("when some are marked read, then unreadOnly leaves them out (its totalCount counts the unread), and the full list keeps them with readAt", async () => {
      const alice = customer();
      for (let i = 0; i < 3; i += 1) await deliver(orderCreated(alice.userId));
      const [newest, middle, oldest] = (await pageOf(alice)).edges.map((edge) => edge.node.id);
      const marked = await markRead(alice, middle!);
      expect(marked.errors).toBeUndefined();
      expect(marked.data?.markNotificationRead).toEqual({ id: middle, kind: "ORDER_PLACED", readAt: expect.any(String) });

      const unread = await pageOf(alice, { unreadOnly: true });
      expect(unread.edges.map((edge) => edge.node.id)).toEqual([newest, oldest]);
      expect(unread.totalCount).toBe(2);
      const firstUnread = await pageOf(alice, { unreadOnly: true, first: 1 });
      expect((await pageOf(alice, { unreadOnly: true, first: 1, after: firstUnread.pageInfo.endCursor })).edges.map((edge) => edge.node.id)).toEqual([oldest]);
      const everything = await pageOf(alice);
      expect(everything.totalCount).toBe(3);
      expect(everything.edges.find((edge) => edge.node.id === middle)?.node.readAt).toBe(marked.data?.markNotificationRead?.readAt);
    });

    it("when a notification is marked read twice, then it keeps the first time", async () => {
      const alice = customer();
      await deliver(orderCreated(alice.userId));
      const node = (await pageOf(alice)).edges[0]!.node;
      const first = await markRead(alice, node.id);
      const second = await markRead(alice, node.id);
      expect(second.data?.markNotificationRead?.readAt).toBe(first.data?.markNotificationRead?.readAt);
    });
  });

  describe("authorization", () => {
    it("when someone else, an admin or an anonymous caller asks for a customer's notifications, then they get an empty connection", async () => {
      const alice = customer();
      await deliver(orderCreated(alice.userId));
      expect((await pageOf(alice)).totalCount).toBe(1);
      for (const caller of [customer(), ADMIN, { kind: "anonymous" } as const, { kind: "service", service: "orders" } as const]) {
        const result = await notificationsOf(caller, alice.userId);
        expect(result.errors).toBeUndefined();
        expect(result.data?._entities[0]?.notifications).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
      }
    });

    it("when a customer marks someone else's notification read, then it is NOT_FOUND exactly as an unknown id, and it stays unread", async () => {
      const alice = customer();
      await deliver(orderCreated(alice.userId));
      const node = (await pageOf(alice)).edges[0]!.node;

      const asOther = await markRead(customer(), node.id);
      expect(errorCodes(asOther)).toEqual(["NOT_FOUND"]);
      const unknown = await markRead(customer(), randomUUID());
      expect(errorCodes(unknown)).toEqual(["NOT_FOUND"]);
      expect(unknown.errors?.[0]?.message).toBe(asOther.errors?.[0]?.message);
      expect(errorCodes(await markRead(ADMIN, node.id))).toEqual(["NOT_FOUND"]);
      expect(errorCodes(await markRead({ kind: "anonymous" }, node.id))).toEqual(["UNAUTHENTICATED"]);
      expect(errorCodes(await markRead({ kind: "service", service: "orders" }, node.id))).toEqual(["FORBIDDEN"]);
      expect((await db.prisma.notification.findUniqueOrThrow({ where: { id: node.id } })).readAt).toBeNull();
    });

    it("when the id is not a notification id at all, then it is BAD_USER_INPUT naming the argument", async () => {
      const result = await markRead(customer(), "42");
      expect(errorCodes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.extensions).toMatchObject({ argument: "id" });
    });

    it("when the gateway resolves Notification entities, then the caller's own come back and anyone else's, unknown or malformed ones are null", async () => {
      const alice = customer();
      const bob = customer();
      await deliver(orderCreated(alice.userId));
      await deliver(orderCreated(bob.userId));
      const [mine] = (await pageOf(alice)).edges.map((edge) => edge.node.id);
      const [theirs] = (await pageOf(bob)).edges.map((edge) => edge.node.id);
      const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Notification { id kind } } }`;
      const representations = [mine, theirs, randomUUID(), "nope"].map((id) => ({ __typename: "Notification", id }));
      const result = await executeOnSubgraph(domain.subgraph, ENTITIES, { caller: alice, variables: { representations } });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ _entities: [{ id: mine, kind: "ORDER_PLACED" }, null, null, null] });
    });
  });
});
