import { MeDocument, ProductDocument, ProductsDocument, SignInDocument, StockLevelsDocument, UsersDocument } from "@monograph/client";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { expect, it } from "vitest";
import { inProcessDataSource } from "@monograph/gateway-core";
import { graphqlClient, type GraphQLClient } from "../support/client.ts";
import { MY_ORDERS, normalizeIds } from "../support/flow.ts";
import { runMainFlow } from "../support/main-flow.ts";
import { startShape } from "../support/shapes.ts";

// The monolith with its default data source (graphql-jit) against inProcessDataSource (graphql-js only), on the
// real domains: the main flow (browse, sign in, order, invoice, pay), MyOrders, and the read-only questions of
// shapes.e2e.test.ts (with a refusal, a bad input and a missing product). Ids and timestamps differ between the two
// databases; everything else must be the same.

const admin = SEEDED_USERS.find((user) => user.role === "ADMIN")!;
const customer = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;
/** The read-only questions of shapes.e2e.test.ts. */
async function answers(api: GraphQLClient) {
  const adminToken = (await api.ok(SignInDocument, { input: { email: admin.email, password: admin.password } })).signIn.token;
  const customerToken = (await api.ok(SignInDocument, { input: { email: customer.email, password: customer.password } })).signIn.token;
  return {
    firstPage: await api.request(ProductsDocument, { first: 5 }),
    stock: await api.request(StockLevelsDocument, { first: 5 }),
    filtered: await api.request(ProductsDocument, { first: 50, filter: { nameContains: "desk" } }),
    product: await api.request(ProductDocument, { sku: "NOPE-0000" }),
    adminMe: await api.request(MeDocument, {}, adminToken),
    customerMe: await api.request(MeDocument, {}, customerToken),
    anonymousMe: await api.request(MeDocument),
    forbidden: await api.request(UsersDocument, {}, customerToken),
    usersAsAdmin: await api.request(UsersDocument, { first: 100 }, adminToken),
    badInput: await api.request(ProductsDocument, { first: -1 }),
  };
}
it("when the monolith's subgraphs run with graphql-jit, then every answer is the one graphql-js gives", async () => {
  const results: unknown[] = [];
  for (const options of [{ inProcessDataSource }, {}]) {
    const running = await startShape("monolith", {}, options);
    try {
      const api = graphqlClient(running.graphqlUrl);
      const flow = await runMainFlow(running.graphqlUrl, { requestIdPrefix: "jit", key: "jit-check-1" });
      const orders = await api.request(MY_ORDERS, {}, flow.token);
      // Timestamps (createdAt, paidAt) are the moment each run placed its order.
      const myOrders: unknown = JSON.parse(JSON.stringify(orders).replace(/"\d{4}-\d{2}-\d{2}T[^"]+"/g, '"<time>"'));
      results.push(normalizeIds({ ...(await answers(api)), myOrders }));
    } finally {
      await running.stop();
    }
  }
  expect(JSON.stringify(results[0])).toContain("priceCents");
  expect(results[1]).toEqual(results[0]);
}, 240_000);
