import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import type { DatabaseHandle } from "@monograph/db";
import type { Caller } from "@monograph/platform";
import { errorCodes, executeOnSubgraph } from "@monograph/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInventorySubgraph, seedInventory, SEEDED_PRODUCTS } from "./index.ts";

const admin: Caller = { kind: "user", userId: "00000000-0000-4000-8000-000000000001", role: "ADMIN" };
const customer: Caller = { kind: "user", userId: "00000000-0000-4000-8000-000000000002", role: "CUSTOMER" };

interface ProductsPage {
  products: {
    edges: { cursor: string; node: { sku: string; name: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    totalCount: number;
  };
}

const PRODUCTS = `query ($first: Int, $after: String, $filter: ProductFilter) {
  products(first: $first, after: $after, filter: $filter) { edges { cursor node { sku name } } pageInfo { hasNextPage endCursor } totalCount }
}`;
const PRODUCT = `query ($sku: ID!) { product(sku: $sku) { sku name priceCents currency stockAvailable stockReserved updatedAt } }`;
const CREATE = `mutation ($input: CreateProductInput!) { createProduct(input: $input) { sku name description priceCents currency stockAvailable stockReserved } }`;
const UPDATE = `mutation ($sku: ID!, $input: UpdateProductInput!) { updateProduct(sku: $sku, input: $input) { sku name description priceCents } }`;
const ADJUST = `mutation ($sku: ID!, $delta: Int!) { adjustStock(sku: $sku, delta: $delta) { sku stockAvailable stockReserved } }`;
const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { sku name priceCents } } }`;

describe("inventory subgraph: the catalogue", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  let subgraph: ReturnType<typeof createInventorySubgraph>;
  const statements: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open({ onQuery: (sql) => statements.push(sql) });
    await seedInventory(db.prisma);
    subgraph = createInventorySubgraph({ db: db.prisma });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const stockOf = async (sku: string) => db.prisma.product.findUniqueOrThrow({ where: { sku }, select: { stockAvailable: true, stockReserved: true } });

  describe("browsing", () => {
    it("when the catalogue is seeded twice, then the second time adds nothing", async () => {
      expect(await seedInventory(db.prisma)).toBe(0);
      expect(await db.prisma.product.count()).toBe(SEEDED_PRODUCTS.length);
    });

    it("when paging through products, then every product appears exactly once, in SKU order", async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const page: Awaited<ReturnType<typeof executeOnSubgraph<ProductsPage>>> = await executeOnSubgraph<ProductsPage>(subgraph, PRODUCTS, { variables: { first: 7, after } });
        expect(page.errors).toBeUndefined();
        const { edges, pageInfo, totalCount } = page.data!.products;
        expect(totalCount).toBe(SEEDED_PRODUCTS.length);
        expect(edges.length).toBeLessThanOrEqual(7);
        seen.push(...edges.map((edge) => edge.node.sku));
        pages += 1;
        if (!pageInfo.hasNextPage) break;
        expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor);
        after = pageInfo.endCursor;
      }
      expect(pages).toBe(Math.ceil(SEEDED_PRODUCTS.length / 7));
      expect(seen).toEqual(SEEDED_PRODUCTS.map((product) => product.sku).sort());
    });

    it("when no page size is given, then the page has 20 products", async () => {
      const page = await executeOnSubgraph<ProductsPage>(subgraph, `{ products { edges { node { sku } } pageInfo { hasNextPage } } }`);
      expect(page.data?.products.edges).toHaveLength(20);
      expect(page.data?.products.pageInfo.hasNextPage).toBe(true);
    });

    it.each([
      ["more than 100 products", { first: 101 }],
      ["a negative page size", { first: -1 }],
      ["a cursor that is not base64 JSON", { after: "garbage" }],
      ["a cursor of another shape", { after: Buffer.from(JSON.stringify(["2026-01-01", "x"])).toString("base64url") }],
      ["a cursor that names no possible SKU", { after: Buffer.from(JSON.stringify(["not a sku"])).toString("base64url") }],
    ])("when asking for %s, then it is BAD_USER_INPUT", async (_label, variables) => {
      const result = await executeOnSubgraph(subgraph, PRODUCTS, { variables });
      expect(errorCodes(result)).toEqual(["BAD_USER_INPUT"]);
    });

    it("when filtering by name, then the match ignores case and totalCount counts only matches", async () => {
      const expected = SEEDED_PRODUCTS.filter((product) => product.name.toLowerCase().includes("keyboard")).map((product) => product.sku);
      expect(expected.length).toBeGreaterThan(2);
      const page = await executeOnSubgraph<ProductsPage>(subgraph, PRODUCTS, { variables: { first: 2, filter: { nameContains: "KEYboard" } } });
      expect(page.errors).toBeUndefined();
      expect(page.data?.products.totalCount).toBe(expected.length);
      expect(page.data?.products.pageInfo.hasNextPage).toBe(true);
      const rest = await executeOnSubgraph<ProductsPage>(subgraph, PRODUCTS, {
        variables: { first: 100, after: page.data!.products.pageInfo.endCursor, filter: { nameContains: "keyboard" } },
      });
      const skus = [...page.data!.products.edges, ...rest.data!.products.edges].map((edge) => edge.node.sku);
      expect(skus).toEqual(expected.sort());
    });

    it("when the filter holds SQL wildcards, then they match literally", async () => {
      await db.prisma.product.create({ data: { sku: "WILD-0001", name: "Wrist Pad, 100% Wool", priceCents: 900, stockAvailable: 1 } });
      const matches = async (nameContains: string) => {
        const page = await executeOnSubgraph<ProductsPage>(subgraph, PRODUCTS, { variables: { filter: { nameContains } } });
        expect(page.errors).toBeUndefined();
        return page.data!.products.edges.map((edge) => edge.node.sku);
      };
      expect(await matches("%")).toEqual(["WILD-0001"]);
      expect(await matches("0% w")).toEqual(["WILD-0001"]);
      expect(await matches("_")).toEqual([]);
      expect(await matches("\\")).toEqual([]);
      await db.prisma.product.delete({ where: { sku: "WILD-0001" } });
    });

    it("when asking for one product, then it is returned; an unknown or malformed SKU is null", async () => {
      const seeded = SEEDED_PRODUCTS[0]!;
      const found = await executeOnSubgraph<{ product: { sku: string; name: string; currency: string } }>(subgraph, PRODUCT, { variables: { sku: seeded.sku } });
      expect(found.errors).toBeUndefined();
      expect(found.data?.product).toMatchObject({ sku: seeded.sku, name: seeded.name, currency: "USD", stockReserved: 0 });
      expect(await executeOnSubgraph(subgraph, PRODUCT, { variables: { sku: "NOPE-9999" } })).toEqual({ data: { product: null } });
      expect(await executeOnSubgraph(subgraph, PRODUCT, { variables: { sku: "'; drop table x; --" } })).toEqual({ data: { product: null } });
    });
  });

  describe("admin mutations", () => {
    const newProduct = (sku: string) => ({ sku, name: "  Test Lamp  ", description: "A lamp for tests.", priceCents: 2500, stockAvailable: 5 });

    it("when an admin creates a product, then it is stored with trimmed fields and default currency", async () => {
      const result = await executeOnSubgraph<{ createProduct: Record<string, unknown> }>(subgraph, CREATE, { caller: admin, variables: { input: newProduct("TEST-0001") } });
      expect(result.errors).toBeUndefined();
      expect(result.data?.createProduct).toEqual({
        sku: "TEST-0001",
        name: "Test Lamp",
        description: "A lamp for tests.",
        priceCents: 2500,
        currency: "USD",
        stockAvailable: 5,
        stockReserved: 0,
      });
    });

    it("when a SKU is taken, then createProduct is a CONFLICT and the existing product is unchanged", async () => {
      const before = await db.prisma.product.findUniqueOrThrow({ where: { sku: "KB-0001" } });
      const result = await executeOnSubgraph(subgraph, CREATE, { caller: admin, variables: { input: newProduct("KB-0001") } });
      expect(errorCodes(result)).toEqual(["CONFLICT"]);
      expect(result.errors?.[0]?.extensions?.field).toBe("sku");
      expect(await db.prisma.product.findUniqueOrThrow({ where: { sku: "KB-0001" } })).toEqual(before);
    });

    it.each([
      ["a lower-case SKU", { sku: "kb-9999" }, "sku"],
      ["a SKU starting with a dash", { sku: "-KB9999" }, "sku"],
      ["a one-character SKU", { sku: "K" }, "sku"],
      ["a 33-character SKU", { sku: "A".repeat(33) }, "sku"],
      ["a blank name", { name: "   " }, "name"],
      ["a 201-character name", { name: "n".repeat(201) }, "name"],
      ["a 2001-character description", { description: "d".repeat(2001) }, "description"],
      ["a negative price", { priceCents: -1 }, "priceCents"],
      ["a lower-case currency", { currency: "usd" }, "currency"],
      ["a four-letter currency", { currency: "USDT" }, "currency"],
      ["negative stock", { stockAvailable: -1 }, "stockAvailable"],
      ["stock over the maximum", { stockAvailable: 1_000_001 }, "stockAvailable"],
    ])("when creating a product with %s, then it is BAD_USER_INPUT naming the field, and nothing is stored", async (_label, override, field) => {
      const before = await db.prisma.product.count();
      const result = await executeOnSubgraph(subgraph, CREATE, { caller: admin, variables: { input: { ...newProduct("TEST-0100"), ...override } } });
      expect(errorCodes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
      expect(await db.prisma.product.count()).toBe(before);
    });

    it.each([
      ["createProduct", CREATE, { input: newProduct("TEST-0200") }],
      ["updateProduct", UPDATE, { sku: "KB-0001", input: { priceCents: 1 } }],
      ["adjustStock", ADJUST, { sku: "KB-0001", delta: -1 }],
    ])("when a customer or an anonymous caller calls %s, then it is FORBIDDEN or UNAUTHENTICATED and nothing changes", async (_name, mutation, variables) => {
      const before = await db.prisma.product.findMany({ orderBy: { sku: "asc" } });
      expect(errorCodes(await executeOnSubgraph(subgraph, mutation, { caller: customer, variables }))).toEqual(["FORBIDDEN"]);
      expect(errorCodes(await executeOnSubgraph(subgraph, mutation, { variables }))).toEqual(["UNAUTHENTICATED"]);
      expect(errorCodes(await executeOnSubgraph(subgraph, mutation, { caller: { kind: "service", service: "orders" }, variables }))).toEqual(["FORBIDDEN"]);
      expect(await db.prisma.product.findMany({ orderBy: { sku: "asc" } })).toEqual(before);
    });

    it("when an admin updates a product, then only the given fields change", async () => {
      const before = await db.prisma.product.findUniqueOrThrow({ where: { sku: "LM-0001" } });
      const result = await executeOnSubgraph<{ updateProduct: Record<string, unknown> }>(subgraph, UPDATE, {
        caller: admin,
        variables: { sku: "LM-0001", input: { priceCents: 4299, name: null } },
      });
      expect(result.errors).toBeUndefined();
      expect(result.data?.updateProduct).toEqual({ sku: "LM-0001", name: before.name, description: before.description, priceCents: 4299 });
    });

    it("when updating an unknown SKU or with an invalid field, then it is NOT_FOUND or BAD_USER_INPUT", async () => {
      expect(errorCodes(await executeOnSubgraph(subgraph, UPDATE, { caller: admin, variables: { sku: "NOPE-0001", input: { priceCents: 1 } } }))).toEqual(["NOT_FOUND"]);
      expect(errorCodes(await executeOnSubgraph(subgraph, UPDATE, { caller: admin, variables: { sku: "NOPE-0001", input: {} } }))).toEqual(["NOT_FOUND"]);
      const invalid = await executeOnSubgraph(subgraph, UPDATE, { caller: admin, variables: { sku: "LM-0001", input: { priceCents: -5 } } });
      expect(errorCodes(invalid)).toEqual(["BAD_USER_INPUT"]);
      expect(invalid.errors?.[0]?.extensions?.field).toBe("priceCents");
    });

    it("when an admin adds and removes stock, then available stock follows and reserved stock does not move", async () => {
      const sku = "NB-0003";
      const before = await stockOf(sku);
      const added = await executeOnSubgraph<{ adjustStock: { stockAvailable: number; stockReserved: number } }>(subgraph, ADJUST, { caller: admin, variables: { sku, delta: 10 } });
      expect(added.data?.adjustStock).toEqual({ sku, stockAvailable: before.stockAvailable + 10, stockReserved: before.stockReserved });
      const removed = await executeOnSubgraph<{ adjustStock: { stockAvailable: number } }>(subgraph, ADJUST, { caller: admin, variables: { sku, delta: -(before.stockAvailable + 10) } });
      expect(removed.data?.adjustStock.stockAvailable).toBe(0);
    });

    it("when removing more stock than is available, then it is OUT_OF_STOCK and the stock is unchanged", async () => {
      const sku = "DK-0003";
      const before = await stockOf(sku);
      const result = await executeOnSubgraph(subgraph, ADJUST, { caller: admin, variables: { sku, delta: -(before.stockAvailable + 1) } });
      expect(errorCodes(result)).toEqual(["OUT_OF_STOCK"]);
      expect(result.errors?.[0]?.extensions).toMatchObject({ sku, field: "delta", available: before.stockAvailable });
      expect(await stockOf(sku)).toEqual(before);
    });

    it("when many removals race for the same stock, then stock stops at zero and never goes below", async () => {
      await db.prisma.product.create({ data: { sku: "RACE-0001", name: "Race", priceCents: 100, stockAvailable: 5 } });
      const results = await Promise.all(
        Array.from({ length: 8 }, () => executeOnSubgraph(subgraph, ADJUST, { caller: admin, variables: { sku: "RACE-0001", delta: -1 } })),
      );
      expect(results.filter((result) => !result.errors)).toHaveLength(5);
      expect(results.flatMap(errorCodes)).toEqual(Array(3).fill("OUT_OF_STOCK"));
      expect(await stockOf("RACE-0001")).toEqual({ stockAvailable: 0, stockReserved: 0 });
    });

    it("when adjusting an unknown SKU, too far up, or by a huge delta, then it is refused and nothing changes", async () => {
      expect(errorCodes(await executeOnSubgraph(subgraph, ADJUST, { caller: admin, variables: { sku: "NOPE-0001", delta: 1 } }))).toEqual(["NOT_FOUND"]);
      expect(errorCodes(await executeOnSubgraph(subgraph, ADJUST, { caller: admin, variables: { sku: "NOPE-0001", delta: -1 } }))).toEqual(["NOT_FOUND"]);
      const before = await stockOf("KB-0002");
      const tooMuch = await executeOnSubgraph(subgraph, ADJUST, { caller: admin, variables: { sku: "KB-0002", delta: 1_000_000 } });
      expect(errorCodes(tooMuch)).toEqual(["BAD_USER_INPUT"]);
      expect(tooMuch.errors?.[0]?.extensions?.field).toBe("delta");
      expect(errorCodes(await executeOnSubgraph(subgraph, ADJUST, { caller: admin, variables: { sku: "KB-0002", delta: -2_000_000 } }))).toEqual(["BAD_USER_INPUT"]);
      expect(await stockOf("KB-0002")).toEqual(before);
    });

    it("when the database is asked directly to take stock below zero, then its CHECK constraint refuses", async () => {
      await expect(db.prisma.product.update({ where: { sku: "KB-0001" }, data: { stockAvailable: -1 } })).rejects.toThrow();
      expect((await stockOf("KB-0001")).stockAvailable).toBeGreaterThanOrEqual(0);
    });
  });

  describe("entity references", () => {
    it("when the gateway resolves Product entities, then _entities returns them in order, with null for unknown SKUs", async () => {
      const result = await executeOnSubgraph(subgraph, ENTITIES, {
        variables: {
          representations: [
            { __typename: "Product", sku: "MS-0001" },
            { __typename: "Product", sku: "NOPE-0001" },
            { __typename: "Product", sku: "not a sku" },
            { __typename: "Product", sku: "KB-0003" },
          ],
        },
      });
      expect(result.errors).toBeUndefined();
      const byProduct = (sku: string) => {
        const seeded = SEEDED_PRODUCTS.find((product) => product.sku === sku)!;
        return { sku, name: seeded.name, priceCents: seeded.priceCents };
      };
      expect(result.data).toEqual({ _entities: [byProduct("MS-0001"), null, null, byProduct("KB-0003")] });
    });

    it("when many Product references arrive in one request, then they cost one SQL statement", async () => {
      const skus = SEEDED_PRODUCTS.slice(10, 40).map((product) => product.sku);
      const representations = [...skus, ...skus.slice(0, 5)].map((sku) => ({ __typename: "Product", sku }));
      statements.length = 0;
      const result = await executeOnSubgraph<{ _entities: ({ sku: string } | null)[] }>(subgraph, ENTITIES, { variables: { representations } });
      expect(result.errors).toBeUndefined();
      expect(result.data?._entities.map((entity) => entity?.sku)).toEqual(representations.map((representation) => representation.sku));
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/products/);
    });

    it("when a page of products is listed without totalCount, then no COUNT runs", async () => {
      statements.length = 0;
      await executeOnSubgraph(subgraph, `{ products(first: 50) { edges { node { sku } } } }`);
      expect(statements).toHaveLength(1);
      expect(statements[0]).not.toMatch(/count/i);
    });
  });
});
