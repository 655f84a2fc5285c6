import { SEEDED_USERS } from "@monograph/users-subgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { booksBalance } from "../support/audit.ts";
import { graphqlClient, type GraphQLClient } from "../support/client.ts";
import { waitFor } from "../support/flow.ts";
import { startPrivateNats, type PrivateNats } from "../support/private-nats.ts";
import { startPrivatePostgres, type PrivatePostgres } from "../support/private-postgres.ts";
import { startShape, type RunningShape } from "../support/shapes.ts";

// PostgreSQL goes away (stopped with -m immediate, every connection cut) and comes back: every request meanwhile
// answers a coded, retryable SERVICE_UNAVAILABLE, from the gateway's in-process domains and from a subgraph
// process alike, never INTERNAL_SERVER_ERROR; once it is back, everything works again without a restart. A
// PostgreSQL cluster and a NATS server of the test's own, in the hybrid shape (inventory in its own process, the
// other domains in the gateway).
process.env.APOLLO_TELEMETRY_DISABLED = "true";

const alice = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;
const CREATE_ORDER = `mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id status } }`;
const ACROSS = `{ me { name orders(first: 5) { edges { node { id status invoice { status } } } } } product(sku: "KB-0001") { name stockAvailable } }`;
const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { token } }`;

describe("a database outage (hybrid, private PostgreSQL)", () => {
  let postgres: PrivatePostgres;
  let nats: PrivateNats;
  let running: RunningShape;
  let api: GraphQLClient;
  let token: string;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    nats = await startPrivateNats();
    // This test file's processes use the private server: createTestDatabase and the shape read DATABASE_URL.
    process.env.DATABASE_URL = postgres.url;
    running = await startShape("hybrid", { NATS_URL: nats.url, APOLLO_TELEMETRY_DISABLED: "true" });
    api = graphqlClient(running.graphqlUrl);
    token = (await api.ok(SIGN_IN, { input: { email: alice.email, password: alice.password } })).signIn.token;
  });
  afterAll(async () => {
    // The servers of this test are stopped whatever happens to the rest, so none outlives the run. Stopping the shape
    // after the outage once took longer than the hook's 120 s in CI (not reproduced alone; see the closing note of
    // 2026-12-01): it is bounded here and said loudly, and what is left of the shape is killed.
    try {
      await postgres?.start();
      const stopped = await Promise.race([running?.stop().then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 60_000).unref())]);
      if (!stopped) {
        process.stderr.write("database-outage: the hybrid shape did not stop within 60 s after the outage; killing its processes\n");
        for (const child of running.processes.values()) child.child.kill("SIGKILL");
      }
    } finally {
      await nats?.stop();
      await postgres?.destroy();
    }
  }, 180_000);

  it("when PostgreSQL stops, then every request answers SERVICE_UNAVAILABLE, retryable, and after it is back everything works without a restart", async () => {
    const before = await api.ok(CREATE_ORDER, { input: { items: [{ sku: "KB-0004", quantity: 1 }] } }, token);
    expect(before.createOrder.status).toBe("PENDING_PAYMENT");

    await postgres.stop();
    const requests = [
      () => api.request(ACROSS, {}, token),
      () => api.request(CREATE_ORDER, { input: { items: [{ sku: "KB-0004", quantity: 1 }], idempotencyKey: "during-outage" } }, token),
      () => api.request(SIGN_IN, { input: { email: alice.email, password: alice.password } }),
      () => api.request(`mutation ($id: ID!) { cancelOrder(id: $id) { id status } }`, { id: before.createOrder.id }, token),
    ];
    for (const request of requests) {
      const started = Date.now();
      const answer = await request();
      expect(Date.now() - started).toBeLessThan(12_000);
      expect(answer.errors?.length, JSON.stringify(answer)).toBeGreaterThan(0);
      for (const error of answer.errors!) {
        expect(error.extensions?.code, JSON.stringify(error)).toBe("SERVICE_UNAVAILABLE");
        expect(error.message).not.toMatch(/127\.0\.0\.1|postgres|ECONNREFUSED|P1001|SELECT/i);
      }
    }
    // In the gateway's own domains the error says it is worth retrying.
    const signIn = await api.request(SIGN_IN, { input: { email: alice.email, password: alice.password } });
    expect(signIn.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true });
    const ready = await fetch(`${running.url}/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks).toMatchObject({ database: "unavailable", inventory: "unavailable" });

    await postgres.start();
    // No process restarts: the pools reconnect on their own.
    await waitFor("the API to answer again", async () => !(await api.request(ACROSS, {}, token)).errors, 30_000);
    expect((await fetch(`${running.url}/ready`)).status).toBe(200);
    const after = await api.ok(CREATE_ORDER, { input: { items: [{ sku: "KB-0004", quantity: 1 }], idempotencyKey: "during-outage" } }, token);
    expect(after.createOrder.status).toBe("PENDING_PAYMENT");
    await api.ok(`mutation ($id: ID!) { cancelOrder(id: $id) { id status } }`, { id: before.createOrder.id }, token);
    // Events written meanwhile and after reach billing and inventory: invoices, the released stock.
    await booksBalance(api, 45_000);
  });
});
