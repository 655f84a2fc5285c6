import { testDatabaseKind } from "@monograph/db/testing";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { describe, expect, it } from "vitest";
import { codesOf, graphqlClient, type GraphQLClient } from "../support/client.ts";
import { startShape, type Shape } from "../support/shapes.ts";

const admin = SEEDED_USERS.find((user) => user.role === "ADMIN")!;
const customer = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;
const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { token } }`;

/** Read-only questions a client asks; their answers must not depend on where the subgraphs run. */
async function answers(api: GraphQLClient) {
  const adminToken = (await api.ok(SIGN_IN, { input: { email: admin.email, password: admin.password } })).signIn.token;
  const customerToken = (await api.ok(SIGN_IN, { input: { email: customer.email, password: customer.password } })).signIn.token;
  return {
    firstPage: await api.request(`{ products(first: 5) { edges { cursor node { sku name description priceCents currency stockAvailable stockReserved } } pageInfo { hasNextPage endCursor } totalCount } }`),
    secondPage: await api.request(`query ($after: String) { products(first: 5, after: $after) { edges { node { sku name } } } }`, {
      after: (await api.ok(`{ products(first: 5) { pageInfo { endCursor } } }`)).products.pageInfo.endCursor,
    }),
    filtered: await api.request(`{ products(first: 50, filter: { nameContains: "desk" }) { edges { node { sku name } } totalCount } }`),
    product: await api.request(`{ product(sku: "NOPE-0000") { sku } }`),
    adminMe: await api.request(`{ me { email name role } }`, {}, adminToken),
    customerMe: await api.request(`{ me { email name role } }`, {}, customerToken),
    anonymousMe: await api.request(`{ me { email } }`),
    forbidden: await api.request(`{ users { totalCount } }`, {}, customerToken),
    usersAsAdmin: await api.request(`{ users(first: 100) { edges { node { email name role } } totalCount } }`, {}, adminToken),
    badInput: await api.request(`{ products(first: -1) { totalCount } }`),
  };
}

describe(`one API, three shapes (${testDatabaseKind()})`, () => {
  it("when the same questions are asked of the monolith, hybrid and distributed shapes, then the answers are identical", async () => {
    const results: Partial<Record<Shape, unknown>> = {};
    for (const shape of ["monolith", "hybrid", "distributed"] as const) {
      const running = await startShape(shape);
      try {
        results[shape] = await answers(graphqlClient(running.graphqlUrl));
      } finally {
        await running.stop();
      }
    }
    expect(JSON.stringify(results.monolith)).toContain("priceCents");
    expect(results.hybrid).toEqual(results.monolith);
    expect(results.distributed).toEqual(results.monolith);
  });

  it("when a subgraph process is down, then its fields fail with SERVICE_UNAVAILABLE, nothing internal leaks, and the rest still works", async () => {
    const running = await startShape("distributed");
    try {
      const api = graphqlClient(running.graphqlUrl);
      await running.processes.get("inventory")!.stop();
      const products = await api.request(`{ products(first: 5) { edges { node { sku } } } }`);
      expect(codesOf(products)).toEqual(["SERVICE_UNAVAILABLE"]);
      expect(products.errors?.[0]?.message).toMatch(/inventory service is unavailable/i);
      expect(JSON.stringify(products)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|localhost|:\d{4,5}\b|stack/);
      const signIn = await api.request(SIGN_IN, { input: { email: admin.email, password: admin.password } });
      expect(signIn.errors).toBeUndefined();
    } finally {
      await running.stop();
    }
  });
});
