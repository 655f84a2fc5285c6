import { randomBytes } from "node:crypto";
import { testDatabaseKind } from "@monograph/db/testing";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { booksBalance } from "../support/audit.ts";
import { codesOf, graphqlClient, type GraphQLClient } from "../support/client.ts";
import { waitFor } from "../support/flow.ts";
import { startPrivateNats, type PrivateNats } from "../support/private-nats.ts";
import { startShape, type RunningShape } from "../support/shapes.ts";

// Faults between processes, survived with every unit of stock accounted for (docs/adr/0011): the distributed
// shape, real processes killed (SIGKILL) or frozen (SIGSTOP), on a NATS server of the test's own. After every
// fault the books balance: one invoice per order, statuses that agree, and per SKU initial = available +
// reserved + sold with reserved = what live orders hold.
process.env.APOLLO_TELEMETRY_DISABLED = "true";

const alice = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;
const CREATE_ORDER = `mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id status } }`;
const MY_ORDERS = `{ me { name orders(first: 100) { edges { node { id status items { quantity product { sku name } } } } } } }`;
// Users (me.name), orders (me.orders) and inventory (product, nullable): a frozen inventory fails only its field.
const ACROSS = `{ me { name orders(first: 5) { edges { node { id status } } } } product(sku: "KB-0001") { name stockAvailable } }`;
const MY_INVOICES = `{ me { invoices(first: 100) { edges { node { id order { id } } } } } }`;
// Inventory's deadline only (the one this test freezes); the others keep the default 10 s, so that a slow
// sign-in on a busy machine is not mistaken for an outage.
const INVENTORY_TIMEOUT_MS = 4_000;
const EVENTS_PREFIX = `faults_${randomBytes(4).toString("hex")}`;

describe(`faults between processes (distributed, ${testDatabaseKind()})`, () => {
  let nats: PrivateNats;
  let running: RunningShape;
  let api: GraphQLClient;
  let token: string;

  beforeAll(async () => {
    nats = await startPrivateNats();
    running = await startShape("distributed", {
      NATS_URL: nats.url,
      EVENTS_PREFIX,
      APOLLO_TELEMETRY_DISABLED: "true",
      INVENTORY_SUBGRAPH_TIMEOUT_MS: String(INVENTORY_TIMEOUT_MS),
      // The sweeper settles an orphaned hold 12 s after it was placed: longer than an orders restart, so a retry
      // after a crash normally continues the same attempt.
      RESERVATION_GRACE_MS: "12000",
      RESERVATION_SWEEP_INTERVAL_MS: "250",
    });
    api = graphqlClient(running.graphqlUrl);
    token = (await api.ok(`mutation ($input: SignInInput!) { signIn(input: $input) { token } }`, { input: { email: alice.email, password: alice.password } })).signIn.token;
  });
  afterAll(async () => {
    nats?.thaw();
    for (const child of running?.processes.values() ?? []) child.child.kill("SIGCONT");
    try {
      await running?.stop();
    } finally {
      await nats?.stop();
    }
  });

  const place = (sku: string, quantity: number, idempotencyKey?: string) => api.request(CREATE_ORDER, { input: { items: [{ sku, quantity }], idempotencyKey } }, token);
  const myOrders = async () => (await api.ok(MY_ORDERS, {}, token)).me.orders.edges.map((edge: { node: { id: string } }) => edge.node);

  /** Starts orders with the test-only switch that makes it SIGKILL itself at `point`, then waits for its death there. */
  async function placeAndCrashAt(point: string, sku: string, quantity: number, key: string) {
    const orders = await running.restart("orders", { ORDERS_CRASH_AT: point });
    const exited = new Promise((resolve) => orders.child.once("exit", (_code, signal) => resolve(signal)));
    const answer = await place(sku, quantity, key);
    // The client sees a coded, retryable failure, never the order half-placed.
    expect(codesOf(answer)).toEqual(["SERVICE_UNAVAILABLE"]);
    expect(await exited).toBe("SIGKILL");
    await running.restart("orders");
  }

  describe("createOrder killed at each of its crash points, then retried with the same key", () => {
    for (const [point, sku] of [
      ["before-reserve", "KB-0002"],
      ["after-reserve", "KB-0003"],
      ["after-order", "MS-0002"],
    ] as const) {
      it(`when orders dies ${point.replace("-", " ")}, then the retry gives one order, and the books balance`, async () => {
        const key = `crash-${point}`;
        await placeAndCrashAt(point, sku, 2, key);
        const retried = await place(sku, 2, key);
        expect(retried.errors).toBeUndefined();
        const order = (retried.data as { createOrder: { id: string; status: string } }).createOrder;
        expect(order.status).toBe("PENDING_PAYMENT");
        // Once more: the same order, nothing new.
        expect((await api.ok(CREATE_ORDER, { input: { items: [{ sku, quantity: 2 }], idempotencyKey: key } }, token)).createOrder.id).toBe(order.id);
        const withSku = (await myOrders()).filter((mine: { items: { product: { sku: string } }[] }) => mine.items.some((item) => item.product.sku === sku));
        expect(withSku.map((mine: { id: string }) => mine.id)).toEqual([order.id]);
        await booksBalance(api);
      });
    }

    it("when orders dies between reserving and writing and the client never comes back, then the sweeper gives the stock back", async () => {
      await placeAndCrashAt("after-reserve", "DK-0001", 1, "abandoned-cart");
      // Orders never heard of it: after the grace period inventory asks, orders decides ABANDONED, stock returns.
      await booksBalance(api, 45_000);
      // The same key later starts a fresh attempt, which places the order.
      const later = await place("DK-0001", 1, "abandoned-cart");
      expect(later.errors).toBeUndefined();
      await booksBalance(api);
    });
  });

  it("when a subgraph freezes longer than the timeout, then its fields fail with SERVICE_UNAVAILABLE within the timeout while the rest arrives, and it recovers on SIGCONT", async () => {
    const inventory = running.processes.get("inventory")!;
    await api.ok(CREATE_ORDER, { input: { items: [{ sku: "CB-0001", quantity: 1 }] } }, token);
    await waitFor("the gateway to be ready", async () => (await fetch(`${running.url}/ready`)).status === 200);
    inventory.child.kill("SIGSTOP");
    try {
      const started = Date.now();
      const partial = await api.request(ACROSS, {}, token);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(INVENTORY_TIMEOUT_MS + 3_000);
      // Users and orders answered; inventory's field is null with an error of its own, coded and retryable.
      const data = partial.data as { me: { name: string; orders: { edges: unknown[] } }; product: unknown };
      expect(data.me.name).toBe(alice.name);
      expect(data.me.orders.edges.length).toBeGreaterThan(0);
      expect(data.product).toBeNull();
      expect(partial.errors?.map((error) => error.extensions), JSON.stringify(partial.errors)).toEqual([{ code: "SERVICE_UNAVAILABLE", service: "inventory" }]);
      expect(JSON.stringify(partial.errors)).not.toMatch(/127\.0\.0\.1|http:/);
      // A load balancer learns it from /ready.
      const ready = await fetch(`${running.url}/ready`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).checks).toMatchObject({ inventory: "unavailable", users: "ok", orders: "ok", billing: "ok" });
    } finally {
      inventory.child.kill("SIGCONT");
    }
    await waitFor("inventory's fields to answer again", async () => !(await api.request(ACROSS, {}, token)).errors);
    await waitFor("the gateway to be ready again", async () => (await fetch(`${running.url}/ready`)).status === 200);
    await booksBalance(api);
  });

  it("when a consumer is killed with events in hand, then its successor handles them within seconds (ack wait 5 s)", async () => {
    const billing = running.processes.get("billing")!;
    billing.child.kill("SIGSTOP");
    const placed: string[] = [];
    for (const sku of ["LM-0001", "LM-0002"]) placed.push((await api.ok(CREATE_ORDER, { input: { items: [{ sku, quantity: 1 }] } }, token)).createOrder.id);
    // JetStream handed the events to the frozen billing: they are in its hands, unacknowledged.
    await waitFor("billing to hold the events unacknowledged", () => ackPending(nats.url, `${EVENTS_PREFIX}_MONOGRAPH_EVENTS`, `${EVENTS_PREFIX}_billing_orders-created`), 15_000);
    await billing.stop("SIGKILL");
    await running.restart("billing");
    const restartedAt = Date.now();
    await waitFor(
      "billing's successor to open both invoices",
      async () => {
        const invoices = (await api.ok(MY_INVOICES, {}, token)).me.invoices.edges.map((edge: { node: { order: { id: string } } }) => edge.node.order.id);
        return placed.every((id) => invoices.includes(id));
      },
      15_000,
    );
    // The ack wait (5 s) bounds it, not the 30 s it used to be.
    expect(Date.now() - restartedAt).toBeLessThan(7_000);
    await booksBalance(api);
  });
});

async function ackPending(url: string, stream: string, durable: string): Promise<boolean> {
  const nc = await connect({ servers: url });
  try {
    return (await (await jetstreamManager(nc)).consumers.info(stream, durable)).num_ack_pending > 0;
  } finally {
    await nc.close();
  }
}
