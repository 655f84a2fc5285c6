import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import { CreateOrderDocument, MyOrdersDocument, SignUpDocument } from "@monograph/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/env.ts";
import { startMonograph, type RunningMonograph } from "../../src/monograph.ts";
import { graphqlClient, type GraphQLClient } from "../support/client.ts";
import { waitFor } from "../support/flow.ts";
import { TEST_SECRETS } from "../support/shapes.ts";

// The MyOrders query crosses users, orders, inventory and billing. With every entity reference and fan-out field
// behind a per-request DataLoader, the SQL statements it runs do not depend on how many orders come back.
// Counted in the monolith, where one process sees every statement of every domain.
const SKUS = ["KB-0001", "KB-0002", "MS-0001", "MS-0002", "MN-0001", "MN-0002", "HS-0001", "CH-0001"];

describe(`batched data access through the gateway (${testDatabaseKind()})`, () => {
  let database: TestDatabase;
  let running: RunningMonograph;
  let api: GraphQLClient;
  let counting = false;
  const statements: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    running = await startMonograph({
      config: loadGatewayConfig({ ...TEST_SECRETS, NODE_ENV: "test", PORT: "0" }),
      database: database.target,
      seed: true,
      // The outbox relay, the reservation sweeper, usage reporting and the notifications' delivery worker (it marks
      // each order's notification delivered, at its own pace) work in the background; their statements belong to no
      // request. MyOrders reads nothing of the notifications domain.
      onQuery: (sql) => void (counting && !/"outbox"|"usage"|"reservations"|"notifications"\./.test(sql) && statements.push(sql)),
    });
    api = graphqlClient(running.graphqlUrl);
  });
  afterAll(async () => {
    await running?.stop();
    await database?.drop();
  });

  const customerWithOrders = async (count: number): Promise<string> => {
    const email = `batching-${count}-${Date.now()}@example.com`;
    const { token } = (await api.ok(SignUpDocument, {
      input: { email, password: "batching-password-1", name: `Has ${count} orders` },
    })).signUp;
    for (let i = 0; i < count; i += 1) {
      // Two lines per order, spread over several products, so product references fan out too.
      const items = [SKUS[i % SKUS.length]!, SKUS[(i + 3) % SKUS.length]!].map((sku) => ({ sku, quantity: 1 }));
      await api.ok(CreateOrderDocument, { input: { items } }, token);
    }
    return token;
  };

  // The web client's recorded MyOrders (@monograph/client), one page of `first` orders.
  const statementsFor = async (first: number, token: string) => {
    statements.length = 0;
    counting = true;
    try {
      const { me } = await api.ok(MyOrdersDocument, { first }, token);
      return { orders: me!.orders.edges.length, invoiced: me!.orders.edges.filter((edge) => edge.node.invoice).length, statements: statements.length };
    } finally {
      counting = false;
    }
  };

  it("when a customer with 5 orders and one with 50 run MyOrders, then the same number of SQL statements runs", async () => {
    const few = await customerWithOrders(5);
    const many = await customerWithOrders(50);
    // Every invoice opened (billing handled every orders.created), so both answers are complete.
    await waitFor("every order's invoice", async () => (await running.db!.prisma.outboxEvent.count({ where: { publishedAt: null } })) === 0);

    const results = {
      "MyOrders, 5 orders": await statementsFor(20, few),
      "MyOrders, 50 orders (first 20)": await statementsFor(20, many),
      "MyOrders first: 50, 5 orders": await statementsFor(50, few),
      "MyOrders first: 50, 50 orders": await statementsFor(50, many),
    };
    console.table(results);

    expect(Object.values(results).map((result) => [result.orders, result.invoiced])).toEqual([[5, 5], [20, 20], [5, 5], [50, 50]]);
    const counts = Object.values(results).map((result) => result.statements);
    expect(new Set(counts).size).toBe(1);
    // users (me), orders (page + count, items), inventory (products), billing (invoices): a handful, not one per order.
    expect(counts[0]).toBeLessThanOrEqual(8);
  });
});
