import { testDatabaseKind } from "@monograph/db/testing";
import { CancelOrderDocument, CreateOrderDocument, MarkNotificationReadDocument, MyNotificationsDocument, OrderDocument, PayInvoiceDocument, SignInDocument } from "@monograph/client";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codesOf, graphqlClient, type GraphQLClient } from "../support/client.ts";
import { waitFor } from "../support/flow.ts";
import { startShape, type RunningShape, type Shape } from "../support/shapes.ts";

// The fifth domain (apps/notifications-subgraph) through the gateway, in every shape: it learns of orders and
// invoices only from events (orders.created, invoices.paid, orders.cancelled; in process in the monolith, NATS
// JetStream between processes), keeps each customer's notifications, and shows a customer only their own.
// "hybrid-notifications" runs it alone, behind the gateway, as the strangler-fig step would.
const SHAPES: Shape[] = ["monolith", "hybrid-notifications", "distributed"];
const [alice, bob] = SEEDED_USERS.filter((user) => user.role === "CUSTOMER");

describe.each(SHAPES)(`notifications in the %s shape (${testDatabaseKind()})`, (shape) => {
  let running: RunningShape;
  let api: GraphQLClient;
  let aliceToken: string;
  let bobToken: string;
  const notificationsOf = async (token: string, unreadOnly = false) => (await api.ok(MyNotificationsDocument, { first: 50, unreadOnly }, token)).me!.notifications;

  beforeAll(async () => {
    // Kept in the API only: these tests read notifications, they do not send them anywhere.
    running = await startShape(shape, { NOTIFICATIONS_DELIVERY: "none" });
    api = graphqlClient(running.graphqlUrl);
    const signIn = async (user: { email: string; password: string }) => (await api.ok(SignInDocument, { input: { email: user.email, password: user.password } })).signIn.token;
    [aliceToken, bobToken] = await Promise.all([signIn(alice!), signIn(bob!)]);
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("when a customer places and pays an order and cancels another, then `me { notifications }` shows order placed, invoice paid and order cancelled, newest first", async () => {
    const { createOrder: paidOrder } = await api.ok(CreateOrderDocument, { input: { items: [{ sku: "KB-0001", quantity: 1 }], idempotencyKey: `${shape}-notified-paid` } }, aliceToken);
    const invoice = await waitFor("the invoice", async () => (await api.ok(OrderDocument, { id: paidOrder.id }, aliceToken)).order?.invoice);
    await api.ok(PayInvoiceDocument, { invoiceId: invoice.id, idempotencyKey: `${shape}-notified-pay` }, aliceToken);
    const { createOrder: cancelled } = await api.ok(CreateOrderDocument, { input: { items: [{ sku: "MS-0001", quantity: 1 }], idempotencyKey: `${shape}-notified-cancelled` } }, aliceToken);
    await api.ok(CancelOrderDocument, { id: cancelled.id }, aliceToken);

    const kindsAbout = async (orderId: string) => (await notificationsOf(aliceToken)).edges.filter((edge) => edge.node.order.id === orderId);
    await waitFor("order placed and invoice paid", async () => ((await kindsAbout(paidOrder.id)).length === 2 ? true : undefined));
    await waitFor("order placed and order cancelled", async () => ((await kindsAbout(cancelled.id)).length === 2 ? true : undefined));

    const { edges, totalCount } = await notificationsOf(aliceToken);
    const forPaid = edges.filter((edge) => edge.node.order.id === paidOrder.id).map((edge) => edge.node);
    expect(forPaid.map((node) => node.kind).sort()).toEqual(["INVOICE_PAID", "ORDER_PLACED"]);
    expect(forPaid.find((node) => node.kind === "INVOICE_PAID")).toMatchObject({ invoice: { id: invoice.id }, readAt: null });
    expect(forPaid.find((node) => node.kind === "ORDER_PLACED")?.message).toMatch(/placed/i);
    const forCancelled = edges.filter((edge) => edge.node.order.id === cancelled.id).map((edge) => edge.node.kind);
    expect(forCancelled.sort()).toEqual(["ORDER_CANCELLED", "ORDER_PLACED"]);
    expect(totalCount).toBe(edges.length);
    // Newest first.
    const times = edges.map((edge) => Date.parse(edge.node.createdAt as string));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("when a customer marks a notification read, then it leaves the unread list, and another customer can neither see nor mark it", async () => {
    const { edges } = await notificationsOf(aliceToken, true);
    expect(edges.length).toBeGreaterThan(0);
    const target = edges[0]!.node;

    // Bob sees none of Alice's, and marking hers is as if it did not exist.
    const bobs = await notificationsOf(bobToken);
    expect(bobs.edges.map((edge) => edge.node.id)).not.toContain(target.id);
    const refused = await api.request(MarkNotificationReadDocument, { id: target.id }, bobToken);
    expect(codesOf(refused)).toEqual(["NOT_FOUND"]);

    const { markNotificationRead } = await api.ok(MarkNotificationReadDocument, { id: target.id }, aliceToken);
    expect(markNotificationRead).toMatchObject({ id: target.id, readAt: expect.any(String) });
    const unread = await notificationsOf(aliceToken, true);
    expect(unread.edges.map((edge) => edge.node.id)).not.toContain(target.id);
    expect(unread.totalCount).toBe(edges.length - 1);

    // Nobody signed in: no notifications at all.
    expect(codesOf(await api.request(MarkNotificationReadDocument, { id: target.id }))).toEqual(["UNAUTHENTICATED"]);
  });
});
