import { testDatabaseKind } from "@monograph/db/testing";
import { MeDocument, ProductDocument, ProductsDocument, SignInDocument, StockLevelsDocument, UsersDocument } from "@monograph/client";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { describe, expect, it } from "vitest";
import { codesOf, graphqlClient, type GraphQLClient } from "../support/client.ts";
import { SHAPE_STARTUP_MS } from "../support/entry-process.ts";
import { normalizeIds } from "../support/flow.ts";
import { startShape, type Shape } from "../support/shapes.ts";

const admin = SEEDED_USERS.find((user) => user.role === "ADMIN")!;
const customer = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;
const SIGN_IN = SignInDocument;

/**
 * Read-only questions a client asks (the web client's recorded operations, as typed documents); their answers must
 * not depend on where the subgraphs run. Ids differ between databases, so they are numbered by first appearance.
 */
async function answers(api: GraphQLClient) {
  const adminToken = (await api.ok(SIGN_IN, { input: { email: admin.email, password: admin.password } })).signIn.token;
  const customerToken = (await api.ok(SIGN_IN, { input: { email: customer.email, password: customer.password } })).signIn.token;
  return {
    firstPage: await api.request(ProductsDocument, { first: 5 }),
    stock: await api.request(StockLevelsDocument, { first: 5 }),
    secondPage: await api.request(ProductsDocument, {
      first: 5,
      after: (await api.ok(ProductsDocument, { first: 5 })).products.pageInfo.endCursor,
    }),
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

describe(`one API, three shapes (${testDatabaseKind()})`, () => {
  it("when the same questions are asked of the monolith, hybrid and distributed shapes, then the answers are identical", async () => {
    const results: Partial<Record<Shape, unknown>> = {};
    for (const shape of ["monolith", "hybrid", "distributed"] as const) {
      const running = await startShape(shape);
      try {
        results[shape] = normalizeIds(await answers(graphqlClient(running.graphqlUrl)));
      } finally {
        await running.stop();
      }
    }
    expect(JSON.stringify(results.monolith)).toContain("priceCents");
    expect(results.hybrid).toEqual(results.monolith);
    expect(results.distributed).toEqual(results.monolith);
    // Three shapes started one after the other, the distributed one with a process and an embedded database per
    // domain: on a busy 2-core machine (CI runs the suites side by side) that took more than vitest's 60 s. Each
    // start waits for readiness; this only bounds the whole.
  }, 3 * SHAPE_STARTUP_MS);

  it("when a subgraph process is down, then its fields fail with SERVICE_UNAVAILABLE, nothing internal leaks, and the rest still works", async () => {
    const running = await startShape("distributed");
    try {
      const api = graphqlClient(running.graphqlUrl);
      await running.processes.get("inventory")!.stop();
      const products = await api.request(ProductsDocument, { first: 5 });
      expect(codesOf(products)).toEqual(["SERVICE_UNAVAILABLE"]);
      expect(products.errors?.[0]?.message).toMatch(/inventory service is unavailable/i);
      expect(JSON.stringify(products)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|localhost|:\d{4,5}\b|stack/);
      const signIn = await api.request(SIGN_IN, { input: { email: admin.email, password: admin.password } });
      expect(signIn.errors).toBeUndefined();
    } finally {
      await running.stop();
    }
  }, SHAPE_STARTUP_MS);
});
