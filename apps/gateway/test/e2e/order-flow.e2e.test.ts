import { testDatabaseKind } from "@monograph/db/testing";
import { CancelOrderDocument, CreateOrderDocument, CreateProductDocument, MyOrdersDocument, OrderDocument, PayInvoiceDocument, ProductStockDocument, SignInDocument } from "@monograph/client";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codesOf, graphqlClient, type GraphQLClient } from "../support/client.ts";
import { normalizeIds, waitFor } from "../support/flow.ts";
import { startShape, type RunningShape, type Shape } from "../support/shapes.ts";

// The main flow of ARCHITECTURE.md through the gateway, crossing users, inventory, orders and billing: the supergraph (entity
// references), orders -> inventory through InventoryClient (a call or HTTP), and events (in-process in the
// monolith, NATS JetStream between processes). Invoices and the PAID status follow from events, so the test
// waits for them as a client would, by asking again.
const SHAPES: Shape[] = ["monolith", "hybrid", "hybrid-orders", "distributed"];
const admin = SEEDED_USERS.find((user) => user.role === "ADMIN")!;
const [alice, bob] = SEEDED_USERS.filter((user) => user.role === "CUSTOMER");

// The web client's recorded operations, as typed documents (@monograph/client).
const SIGN_IN = SignInDocument;
const CREATE_ORDER = CreateOrderDocument;
const ORDER = OrderDocument;
const PAY = PayInvoiceDocument;
const CANCEL = CancelOrderDocument;

/** The normalised MyOrders answer of each shape, compared once every shape has run. */
const myOrdersByShape = new Map<Shape, unknown>();

describe.each(SHAPES)(`the order-to-invoice flow in the %s shape (${testDatabaseKind()})`, (shape) => {
  let running: RunningShape;
  let api: GraphQLClient;
  let aliceToken: string;
  let bobToken: string;
  let adminToken: string;
  const stockOf = async (sku: string) => {
    const { product } = await api.ok(ProductStockDocument, { sku });
    return { stockAvailable: product!.stockAvailable, stockReserved: product!.stockReserved };
  };
  const invoiceOf = (orderId: string, token: string) =>
    waitFor(`the invoice of order ${orderId}`, async () => (await api.ok(ORDER, { id: orderId }, token)).order?.invoice);

  beforeAll(async () => {
    running = await startShape(shape);
    api = graphqlClient(running.graphqlUrl);
    const signIn = async (user: { email: string; password: string }) => (await api.ok(SIGN_IN, { input: { email: user.email, password: user.password } })).signIn.token;
    [aliceToken, bobToken, adminToken] = await Promise.all([signIn(alice!), signIn(bob!), signIn(admin)]);
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("when a customer places an order, pays its invoice, and cancels another, then the order is PAID with its invoice, and the cancelled one's stock is back", async () => {
    const keyboard = await stockOf("KB-0001");
    const mouse = await stockOf("MS-0001");

    // Place: stock is held, prices captured.
    const input = { items: [{ sku: "KB-0001", quantity: 2 }, { sku: "MS-0001", quantity: 1 }], idempotencyKey: `${shape}-first-order` };
    const { createOrder: order } = await api.ok(CREATE_ORDER, { input }, aliceToken);
    expect(order).toMatchObject({ status: "PENDING_PAYMENT", currency: "USD", totalCents: 2 * 8999 + 4999 });
    expect(order.items).toMatchObject([
      { product: { sku: "KB-0001", name: "Compact Mechanical Keyboard" }, quantity: 2, unitPriceCents: 8999, lineTotalCents: 17998 },
      { product: { sku: "MS-0001", name: "Wireless Ergonomic Mouse" }, quantity: 1, unitPriceCents: 4999, lineTotalCents: 4999 },
    ]);
    expect(await stockOf("KB-0001")).toEqual({ stockAvailable: keyboard.stockAvailable - 2, stockReserved: keyboard.stockReserved + 2 });

    // Retrying with the same key answers with the same order and places nothing new.
    const { createOrder: retried } = await api.ok(CREATE_ORDER, { input }, aliceToken);
    expect(retried.id).toBe(order.id);
    expect((await stockOf("KB-0001")).stockAvailable).toBe(keyboard.stockAvailable - 2);

    // billing opened the invoice from orders.created.
    const invoice = await invoiceOf(order.id, aliceToken);
    expect(invoice).toMatchObject({ status: "OPEN", amountCents: order.totalCents, currency: "USD", paidAt: null });

    // Pay (twice with one key: one payment).
    const pay = { invoiceId: invoice.id, idempotencyKey: `${shape}-pay-1` };
    const { payInvoice: paid } = await api.ok(PAY, pay, aliceToken);
    expect(paid).toMatchObject({ id: invoice.id, status: "PAID", payments: [{ status: "SUCCEEDED", amountCents: order.totalCents }] });
    expect((await api.ok(PAY, pay, aliceToken)).payInvoice).toEqual(paid);

    // invoices.paid -> orders marks the order PAID and inventory commits the reservation.
    await waitFor("the order to be PAID", async () => (await api.ok(ORDER, { id: order.id }, aliceToken)).order?.status === "PAID");
    await waitFor("the reservation to be committed", async () => (await stockOf("KB-0001")).stockReserved === keyboard.stockReserved);
    expect(await stockOf("KB-0001")).toEqual({ stockAvailable: keyboard.stockAvailable - 2, stockReserved: keyboard.stockReserved });
    expect(await stockOf("MS-0001")).toEqual({ stockAvailable: mouse.stockAvailable - 1, stockReserved: mouse.stockReserved });

    // A second order, cancelled before payment: invoice VOID, stock released.
    const { createOrder: second } = await api.ok(CREATE_ORDER, { input: { items: [{ sku: "MS-0001", quantity: 3 }] } }, aliceToken);
    expect((await stockOf("MS-0001")).stockAvailable).toBe(mouse.stockAvailable - 4);
    const secondInvoice = await invoiceOf(second.id, aliceToken);
    expect((await api.ok(CANCEL, { id: second.id }, aliceToken)).cancelOrder).toMatchObject({ id: second.id, status: "CANCELLED" });
    await waitFor("the invoice to be VOID", async () => (await api.ok(ORDER, { id: second.id }, aliceToken)).order?.invoice?.status === "VOID");
    await waitFor("the stock to be released", async () => (await stockOf("MS-0001")).stockAvailable === mouse.stockAvailable - 1);
    expect(await stockOf("MS-0001")).toEqual({ stockAvailable: mouse.stockAvailable - 1, stockReserved: mouse.stockReserved });
    const payVoid = await api.request(PAY, { invoiceId: secondInvoice.id }, aliceToken);
    expect(codesOf(payVoid)).toEqual(["INVALID_STATE_TRANSITION"]);
    const cancelPaid = await api.request(CANCEL, { id: order.id }, aliceToken);
    expect(codesOf(cancelPaid)).toEqual(["INVALID_STATE_TRANSITION"]);

    // The cross-domain query of ARCHITECTURE.md.
    const { me } = await api.ok(MyOrdersDocument, {}, aliceToken);
    const edges = me!.orders.edges;
    expect(edges.map((edge) => edge.node.status)).toEqual(["CANCELLED", "PAID"]);
    expect(edges[1]!.node.invoice).toEqual({ __typename: "Invoice", id: invoice.id, status: "PAID", amountCents: order.totalCents });
    // Ids aside, and the times and cursors (which encode them) that differ from run to run.
    myOrdersByShape.set(shape, normalizeIds(edges.map(({ node: { createdAt: _createdAt, ...node } }) => node)));
  });

  it("when someone else's order or invoice is asked for, then it answers as if it did not exist; an admin sees it", async () => {
    const { createOrder: order } = await api.ok(CREATE_ORDER, { input: { items: [{ sku: "KB-0002", quantity: 1 }] } }, aliceToken);
    const invoice = await invoiceOf(order.id, aliceToken);
    expect((await api.ok(ORDER, { id: order.id }, bobToken)).order).toBeNull();
    expect(codesOf(await api.request(CANCEL, { id: order.id }, bobToken))).toEqual(["NOT_FOUND"]);
    expect(codesOf(await api.request(PAY, { invoiceId: invoice.id }, bobToken))).toEqual(["NOT_FOUND"]);
    const bobsOrders = (await api.ok(MyOrdersDocument, {}, bobToken)).me!.orders.edges.map((edge) => edge.node.id);
    expect(bobsOrders).not.toContain(order.id);
    expect((await api.ok(ORDER, { id: order.id }, adminToken)).order).toMatchObject({ id: order.id, status: "PENDING_PAYMENT" });
    expect(codesOf(await api.request(CREATE_ORDER, { input: { items: [{ sku: "KB-0002", quantity: 1 }] } }))).toEqual(["UNAUTHENTICATED"]);
  });

  it("when an order asks for more than is in stock, then it is OUT_OF_STOCK naming the SKU, and nothing is reserved", async () => {
    const before = await Promise.all(["KB-0003", "DK-0003"].map(stockOf));
    const result = await api.request(CREATE_ORDER, { input: { items: [{ sku: "KB-0003", quantity: 1 }, { sku: "DK-0003", quantity: 5 }] } }, aliceToken);
    expect(codesOf(result)).toEqual(["OUT_OF_STOCK"]);
    expect(result.errors?.[0]?.extensions?.["sku"]).toBe("DK-0003");
    expect(result.errors?.[0]?.message).toContain("DK-0003");
    expect(await Promise.all(["KB-0003", "DK-0003"].map(stockOf))).toEqual(before);
  });

  it("when two customers order the last unit at the same moment, then exactly one succeeds, the other is OUT_OF_STOCK, and stock never goes negative", async () => {
    const sku = `LAST-${shape.toUpperCase()}`;
    await api.ok(CreateProductDocument, { sku, name: "The Last One", priceCents: 500, stockAvailable: 1 }, adminToken);
    const results = await Promise.all([aliceToken, bobToken].map((token) => api.request(CREATE_ORDER, { input: { items: [{ sku, quantity: 1 }] } }, token)));
    const succeeded = results.filter((result) => !result.errors);
    const refused = results.filter((result) => result.errors);
    expect(succeeded).toHaveLength(1);
    expect(refused.map(codesOf)).toEqual([["OUT_OF_STOCK"]]);
    expect(await stockOf(sku)).toEqual({ stockAvailable: 0, stockReserved: 1 });
  });
});

describe("the flow across shapes", () => {
  it("when the same flow ran in every shape, then MyOrders gives the same answer in each (ids aside)", () => {
    expect([...myOrdersByShape.keys()]).toEqual(SHAPES);
    for (const shape of SHAPES) expect(myOrdersByShape.get(shape), shape).toEqual(myOrdersByShape.get("monolith"));
  });
});
