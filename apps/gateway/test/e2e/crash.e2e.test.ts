import { testDatabaseKind } from "@monograph/db/testing";
import { CreateOrderDocument, MyInvoicesDocument, OrderDocument, SignInDocument } from "@monograph/client";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codesOf, graphqlClient, type GraphQLClient } from "../support/client.ts";
import { waitFor } from "../support/flow.ts";
import { startPrivateNats, type PrivateNats } from "../support/private-nats.ts";
import { startShape, type RunningShape } from "../support/shapes.ts";

// Nothing is lost when a process dies between an order's commit and billing's handling of its event: the outbox
// keeps it until it is published, JetStream keeps it until billing acknowledges it, and billing's inbox makes a
// second delivery harmless. Real processes, killed with SIGKILL, in the distributed shape, on a NATS server of the
// test's own, which it freezes to hold an event between commit and delivery.
const alice = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;
// The web client's recorded operations, as typed documents (@monograph/client).
const CREATE_ORDER = CreateOrderDocument;
const ORDER_WITH_INVOICE = OrderDocument;

describe(`crashes between an order and its invoice (distributed, ${testDatabaseKind()})`, () => {
  let nats: PrivateNats;
  let running: RunningShape;
  let api: GraphQLClient;
  let token: string;

  beforeAll(async () => {
    nats = await startPrivateNats();
    running = await startShape("distributed", { NATS_URL: nats.url });
    api = graphqlClient(running.graphqlUrl);
    token = (await api.ok(SignInDocument, { input: { email: alice.email, password: alice.password } })).signIn.token;
  });
  afterAll(async () => {
    nats?.thaw();
    await running?.stop();
    await nats?.stop();
  });

  const invoicesOf = async (orderId: string) =>
    (await api.ok(MyInvoicesDocument, { first: 100 }, token)).me!.invoices.edges.filter((edge) => edge.node.order.id === orderId);

  it("when billing's process dies and orders are placed meanwhile, then after billing restarts each order has exactly one invoice", async () => {
    await running.processes.get("billing")!.stop("SIGKILL");
    const placed = [];
    for (const sku of ["KB-0001", "MS-0003"]) placed.push((await api.ok(CREATE_ORDER, { input: { items: [{ sku, quantity: 1 }] } }, token)).createOrder);
    expect(placed.map((order) => order.status)).toEqual(["PENDING_PAYMENT", "PENDING_PAYMENT"]);

    // While billing is down its field fails on its own, with a code and without internals; the order still reads.
    const partial = await api.request(ORDER_WITH_INVOICE, { id: placed[0]!.id }, token);
    expect(partial.data?.order).toMatchObject({ id: placed[0]!.id, status: "PENDING_PAYMENT" });
    expect(codesOf(partial)).toEqual(["SERVICE_UNAVAILABLE"]);

    await running.restart("billing");
    for (const order of placed) {
      await waitFor(`the invoice of ${order.id}`, async () => (await api.ok(ORDER_WITH_INVOICE, { id: order.id }, token)).order?.invoice);
      expect(await invoicesOf(order.id)).toHaveLength(1);
    }
  });

  it("when the orders process dies after committing an order but before its event got out, then after its restart the order has exactly one invoice", async () => {
    // NATS stops answering: orders commits the order and its outbox row, but the relay cannot publish it.
    nats.freeze();
    const { createOrder: order } = await api.ok(CREATE_ORDER, { input: { items: [{ sku: "KB-0005", quantity: 2 }] } }, token);
    expect(order.status).toBe("PENDING_PAYMENT");
    const crashed = running.processes.get("orders")!;
    await crashed.stop("SIGKILL");
    expect(await invoicesOf(order.id)).toEqual([]);
    nats.thaw();

    // The restarted relay finds the unpublished row (or one JetStream stored but never acknowledged) and delivers it.
    await running.restart("orders");
    await waitFor(`the invoice of ${order.id}`, async () => (await api.ok(ORDER_WITH_INVOICE, { id: order.id }, token)).order?.invoice);
    expect(await invoicesOf(order.id)).toHaveLength(1);

    // Redelivery changes nothing: another restart re-reads the outbox, and billing's inbox absorbs any duplicate.
    const previous = running.processes.get("orders")!;
    await running.restart("orders");
    // That stop was a polite one (SIGTERM): the process shut down in order and exited on its own, with 0.
    expect({ code: previous.child.exitCode, signal: previous.child.signalCode }).toEqual({ code: 0, signal: null });
    const { createOrder: marker } = await api.ok(CREATE_ORDER, { input: { items: [{ sku: "KB-0005", quantity: 1 }] } }, token);
    // A relay publishes its rows oldest first: by the time the marker's invoice exists, any second copy of the
    // first order's event went out before it and has reached billing.
    await waitFor(`the invoice of ${marker.id}`, async () => (await invoicesOf(marker.id)).length === 1);
    expect(await invoicesOf(order.id)).toHaveLength(1);
  });
});
