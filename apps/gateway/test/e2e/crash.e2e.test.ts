import { testDatabaseKind } from "@monograph/db/testing";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codesOf, graphqlClient, type GraphQLClient } from "../support/client.ts";
import { waitFor } from "../support/flow.ts";
import { startShape, type RunningShape } from "../support/shapes.ts";

// Nothing is lost when a process dies between an order's commit and billing's handling of its event: the outbox
// keeps it until it is published, JetStream keeps it until billing acknowledges it, and billing's inbox makes a
// second delivery harmless. Real processes, killed with SIGKILL, in the distributed shape.
const alice = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;
const CREATE_ORDER = `mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id status } }`;
const ORDER_WITH_INVOICE = `query ($id: ID!) { order(id: $id) { id status invoice { id status } } }`;
const MY_INVOICES = `{ me { invoices(first: 100) { edges { node { id order { id } } } } } }`;

describe(`crashes between an order and its invoice (distributed, ${testDatabaseKind()})`, () => {
  let running: RunningShape;
  let api: GraphQLClient;
  let token: string;

  beforeAll(async () => {
    running = await startShape("distributed");
    api = graphqlClient(running.graphqlUrl);
    token = (await api.ok(`mutation ($input: SignInInput!) { signIn(input: $input) { token } }`, { input: { email: alice.email, password: alice.password } })).signIn.token;
  });
  afterAll(async () => {
    await running?.stop();
  });

  const invoicesOf = async (orderId: string) =>
    (await api.ok(MY_INVOICES, {}, token)).me.invoices.edges.filter((edge: { node: { order: { id: string } } }) => edge.node.order.id === orderId);

  it("when billing's process dies and orders are placed meanwhile, then after billing restarts each order has exactly one invoice", async () => {
    await running.processes.get("billing")!.stop("SIGKILL");
    const placed = [];
    for (const sku of ["KB-0001", "MS-0003"]) placed.push((await api.ok(CREATE_ORDER, { input: { items: [{ sku, quantity: 1 }] } }, token)).createOrder);
    expect(placed.map((order) => order.status)).toEqual(["PENDING_PAYMENT", "PENDING_PAYMENT"]);

    // While billing is down its field fails on its own, with a code and without internals; the order still reads.
    const partial = await api.request(ORDER_WITH_INVOICE, { id: placed[0].id }, token);
    expect(partial.data?.order).toMatchObject({ id: placed[0].id, status: "PENDING_PAYMENT" });
    expect(codesOf(partial)).toEqual(["SERVICE_UNAVAILABLE"]);

    await running.restart("billing");
    for (const order of placed) {
      await waitFor(`the invoice of ${order.id}`, async () => (await api.ok(ORDER_WITH_INVOICE, { id: order.id }, token)).order.invoice);
      expect(await invoicesOf(order.id)).toHaveLength(1);
    }
  });

  it("when the orders process dies right after it committed an order, then after its restart the order has exactly one invoice", async () => {
    const { createOrder: order } = await api.ok(CREATE_ORDER, { input: { items: [{ sku: "KB-0005", quantity: 2 }] } }, token);
    // Killed at once: the relay may or may not have published orders.created; the outbox row says which.
    await running.processes.get("orders")!.stop("SIGKILL");
    await running.restart("orders");
    await waitFor(`the invoice of ${order.id}`, async () => (await api.ok(ORDER_WITH_INVOICE, { id: order.id }, token)).order.invoice);
    expect(await invoicesOf(order.id)).toHaveLength(1);
    // And again, after the relay's restart has certainly re-read the outbox: still one.
    const previous = running.processes.get("orders")!;
    await running.restart("orders");
    expect(await invoicesOf(order.id)).toHaveLength(1);
    // That stop was a polite one (SIGTERM): the process shut down in order and exited on its own, with 0.
    expect({ code: previous.child.exitCode, signal: previous.child.signalCode }).toEqual({ code: 0, signal: null });
  });
});
