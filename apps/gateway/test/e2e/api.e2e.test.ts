import { testDatabaseKind } from "@monograph/db/testing";
import { AdjustStockDocument, CreateProductDocument, MeDocument, ProductDocument, ProductsDocument, SignInDocument, SignUpDocument, UsersDocument, type ProductsQuery } from "@monograph/client";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codesOf, graphqlClient, type GraphQLClient } from "../support/client.ts";
import { startShape, type RunningShape, type Shape } from "../support/shapes.ts";

// The same cases, through the gateway, in every runtime shape, on the database of this run (PGlite by default,
// PostgreSQL when DATABASE_URL is set). These are the behaviours a frontend relies on.
const SHAPES: Shape[] = ["monolith", "hybrid", "distributed"];
const admin = SEEDED_USERS.find((user) => user.role === "ADMIN")!;
const customer = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;

// The web client's recorded operations, as typed documents (@monograph/client).
const PRODUCTS = ProductsDocument;
const SIGN_IN = SignInDocument;
const SIGN_UP = SignUpDocument;
const ME = MeDocument;

describe.each(SHAPES)(`the API in the %s shape (${testDatabaseKind()})`, (shape) => {
  let running: RunningShape;
  let api: GraphQLClient;
  let adminToken: string;
  let customerToken: string;

  beforeAll(async () => {
    running = await startShape(shape);
    api = graphqlClient(running.graphqlUrl);
    adminToken = (await api.ok(SIGN_IN, { input: { email: admin.email, password: admin.password } })).signIn.token;
    customerToken = (await api.ok(SIGN_IN, { input: { email: customer.email, password: customer.password } })).signIn.token;
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("when browsing the first page of products, then it has 5 products in SKU order and a cursor to the next page", async () => {
    const { products } = await api.ok(PRODUCTS, { first: 5 });
    expect(products.edges).toHaveLength(5);
    const skus = products.edges.map((edge) => edge.node.sku);
    expect(skus).toEqual([...skus].sort());
    expect(products.pageInfo.hasNextPage).toBe(true);
    expect(products.totalCount).toBeGreaterThanOrEqual(45);
    for (const edge of products.edges) expect(edge.node.priceCents).toBeGreaterThan(0);
  });

  it("when paging through every product, then each appears exactly once", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      const { products }: ProductsQuery = await api.ok(PRODUCTS, { first: 7, after });
      seen.push(...products.edges.map((edge) => edge.node.sku));
      total = products.totalCount;
      after = products.pageInfo.hasNextPage ? products.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it("when filtering products by name, then only matching products come back, case-insensitively", async () => {
    const { products: all } = await api.ok(PRODUCTS, { first: 100 });
    const someName = all.edges[3]!.node.name;
    const word = someName.split(" ").find((part) => part.length > 3) ?? someName;
    const { products } = await api.ok(PRODUCTS, { first: 100, filter: { nameContains: word.toUpperCase() } });
    expect(products.totalCount).toBeGreaterThan(0);
    for (const edge of products.edges) expect(edge.node.name.toLowerCase()).toContain(word.toLowerCase());
    const expected = all.edges.filter((edge) => edge.node.name.toLowerCase().includes(word.toLowerCase()));
    expect(products.totalCount).toBe(expected.length);
  });

  it("when a new customer signs up, then their token works for me, and signing in again gives the same user", async () => {
    const email = `e2e-${shape}-${Date.now()}@example.com`;
    const { signUp } = await api.ok(SIGN_UP, { input: { email, password: "correct-horse-9", name: "E2E Person" } });
    expect(signUp.user).toMatchObject({ email, role: "CUSTOMER" });
    const { me } = await api.ok(ME, {}, signUp.token);
    expect(me).toEqual(signUp.user);
    const { signIn } = await api.ok(SIGN_IN, { input: { email, password: "correct-horse-9" } });
    expect(signIn.user.id).toBe(signUp.user.id);
  });

  it("when signed in with the seeded admin, then me is the admin", async () => {
    const { me } = await api.ok(ME, {}, adminToken);
    expect(me).toMatchObject({ email: admin.email, role: "ADMIN" });
  });

  it("when anonymous, then me is null", async () => {
    expect((await api.request(ME)).data).toEqual({ me: null });
  });

  it("when sign-in fails, then the error does not say which part was wrong", async () => {
    const wrongPassword = await api.request(SIGN_IN, { input: { email: admin.email, password: "not-the-password-1" } });
    const unknownEmail = await api.request(SIGN_IN, { input: { email: "nobody@example.com", password: "not-the-password-1" } });
    expect(codesOf(wrongPassword)).toEqual(["UNAUTHENTICATED"]);
    expect(wrongPassword.errors?.[0]?.message).toBe(unknownEmail.errors?.[0]?.message);
  });

  it("when a customer tries admin-only operations, then they are refused and nothing changes", async () => {
    const create = await api.request(CreateProductDocument, { sku: "E2E-HACK-1", name: "Hack", priceCents: 1, stockAvailable: 5 }, customerToken);
    expect(codesOf(create)).toEqual(["FORBIDDEN"]);
    const users = await api.request(UsersDocument, {}, customerToken);
    expect(codesOf(users)).toEqual(["FORBIDDEN"]);
    expect((await api.ok(ProductDocument, { sku: "E2E-HACK-1" })).product).toBeNull();
    expect(codesOf(await api.request(UsersDocument))).toEqual(["UNAUTHENTICATED"]);
  });

  it("when an admin creates a product and adjusts its stock, then customers see it", async () => {
    const sku = `E2E-${shape.toUpperCase()}-1`;
    await api.ok(CreateProductDocument, { sku, name: "E2E Widget", priceCents: 1234, stockAvailable: 3 }, adminToken);
    await api.ok(AdjustStockDocument, { sku, delta: 2 }, adminToken);
    const { product } = await api.ok(ProductDocument, { sku }, customerToken);
    expect(product).toEqual({ __typename: "Product", sku, name: "E2E Widget", priceCents: 1234, stockAvailable: 5 });
    const negative = await api.request(AdjustStockDocument, { sku, delta: -6 }, adminToken);
    expect(negative.errors).toHaveLength(1);
    expect((await api.ok(ProductDocument, { sku })).product?.stockAvailable).toBe(5);
  });

  it("when input is bad, then each error has a stable code and no internal detail", async () => {
    const weak = await api.request(SIGN_UP, { input: { email: "weak@example.com", password: "short", name: "W" } });
    expect(codesOf(weak)).toEqual(["BAD_USER_INPUT"]);
    const malformedEmail = await api.request(SIGN_UP, { input: { email: "nope", password: "long-enough-1", name: "W" } });
    expect(codesOf(malformedEmail)).toEqual(["BAD_USER_INPUT"]);
    const duplicate = await api.request(SIGN_UP, { input: { email: customer.email, password: "long-enough-1", name: "W" } });
    expect(codesOf(duplicate)).toEqual(["CONFLICT"]);
    const tooMany = await api.request(PRODUCTS, { first: 1000 });
    expect(codesOf(tooMany)).toEqual(["BAD_USER_INPUT"]);
    const badCursor = await api.request(PRODUCTS, { first: 5, after: "not-a-cursor" });
    expect(codesOf(badCursor)).toEqual(["BAD_USER_INPUT"]);
    const invalidQuery = await api.request(`{ products { edges { node { nope } } } }`);
    expect(codesOf(invalidQuery)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    const text = JSON.stringify([weak, malformedEmail, duplicate, tooMany, badCursor, invalidQuery]);
    expect(text).not.toMatch(/prisma|SELECT |INSERT |stacktrace|localhost|127\.0\.0\.1/i);
  });

  it("when asked for /health and /ready, then the gateway answers ready", async () => {
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    const ready = await fetch(`${running.url}/ready`);
    expect(ready.status).toBe(200);
    for (const child of running.processes.values()) {
      expect((await fetch(`${child.url}/ready`)).status).toBe(200);
    }
  });
});
