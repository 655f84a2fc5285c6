import { describe, expect, it } from "vitest";
import { evaluateSchemaCheck } from "./check.ts";
import { CATALOG, edit, fixtureSubgraphs, gitBaseline, REVIEWS } from "./fixtures.test-support.ts";

type Expected =
  | { severity: "breaking" | "dangerous" | "safe"; coordinate: string; source?: "api" | "federation"; subgraph?: string }
  | { composition: string; subgraphs: string[] };

interface Case {
  name: string;
  /** The baseline, when it is not CATALOG + REVIEWS. */
  base?: { catalog?: string; reviews?: string };
  catalog?: string;
  reviews?: string;
  expected: Expected;
}

const SELLER_CATALOG = (key: string) => edit(CATALOG, "  price: Int\n", "  price: Int\n  seller: Seller\n") + `type Seller ${key} {\n  id: ID!\n}\n`;
const SELLER_REVIEWS = edit(REVIEWS, "type Review {", 'type Seller @key(fields: "id") {\n  id: ID!\n  rating: Int\n}\n\ntype Review {');
const KEYED_CATEGORY = edit(CATALOG, "type Category implements Node {", 'type Category implements Node @key(fields: "id") {');

// Each schema change with its expected verdict. The baseline is CATALOG + REVIEWS; a case replaces one or both.
const CORPUS: Case[] = [
  { name: "a field is removed", catalog: edit(CATALOG, "  price: Int\n", ""), expected: { severity: "breaking", coordinate: "Product.price" } },
  {
    name: "a type is removed",
    reviews: edit(edit(REVIEWS, "  reviews: [Review!]!\n", ""), /type Review \{[^}]*\}/.exec(REVIEWS)![0], ""),
    expected: { severity: "breaking", coordinate: "Review" },
  },
  { name: "a field's type changes", catalog: edit(CATALOG, "  name: String!\n", "  name: Int!\n"), expected: { severity: "breaking", coordinate: "Product.name" } },
  { name: "an output field is made nullable", catalog: edit(CATALOG, "  name: String!\n  price: Int\n  availability", "  name: String\n  price: Int\n  availability"), expected: { severity: "breaking", coordinate: "Product.name" } },
  { name: "an output field is made non-null", catalog: edit(CATALOG, "  price: Int\n  availability", "  price: Int!\n  availability"), expected: { severity: "safe", coordinate: "Product.price" } },
  {
    name: "an input field is made non-null",
    catalog: edit(CATALOG, "  name: String!\n  price: Int\n}\n", "  name: String!\n  price: Int!\n}\n"),
    expected: { severity: "breaking", coordinate: "CreateProductInput.price" },
  },
  {
    name: "an input field is made nullable",
    catalog: edit(CATALOG, "input CreateProductInput {\n  name: String!\n", "input CreateProductInput {\n  name: String\n"),
    expected: { severity: "safe", coordinate: "CreateProductInput.name" },
  },
  {
    name: "an argument is made non-null",
    catalog: edit(CATALOG, "products(first: Int = 10, filter: ProductFilter)", "products(first: Int = 10, filter: ProductFilter!)"),
    expected: { severity: "breaking", coordinate: "Query.products(filter:)" },
  },
  {
    name: "a required argument is added",
    catalog: edit(CATALOG, "search(term: String!)", "search(term: String!, limit: Int!)"),
    expected: { severity: "breaking", coordinate: "Query.search(limit:)" },
  },
  {
    name: "an optional argument is added",
    catalog: edit(CATALOG, "search(term: String!)", "search(term: String!, limit: Int)"),
    expected: { severity: "safe", coordinate: "Query.search(limit:)" },
  },
  { name: "an enum value is added", catalog: edit(CATALOG, "  SOLD_OUT\n", "  SOLD_OUT\n  BACKORDER\n"), expected: { severity: "dangerous", coordinate: "Availability.BACKORDER" } },
  { name: "an enum value is removed", catalog: edit(CATALOG, "  SOLD_OUT\n", ""), expected: { severity: "breaking", coordinate: "Availability.SOLD_OUT" } },
  { name: "a union member is removed", catalog: edit(CATALOG, "union SearchResult = Product | Category", "union SearchResult = Product"), expected: { severity: "breaking", coordinate: "SearchResult" } },
  { name: "an interface implementation is removed", catalog: edit(CATALOG, "type Category implements Node {", "type Category {"), expected: { severity: "breaking", coordinate: "Category" } },
  {
    name: "an input field's default value changes",
    catalog: edit(CATALOG, "inStockOnly: Boolean = false", "inStockOnly: Boolean = true"),
    expected: { severity: "dangerous", coordinate: "ProductFilter.inStockOnly" },
  },
  { name: "an argument's default value changes", catalog: edit(CATALOG, "first: Int = 10", "first: Int = 20"), expected: { severity: "dangerous", coordinate: "Query.products(first:)" } },
  {
    name: "an entity's @key fields change (consistently, so it still composes)",
    catalog: edit(CATALOG, 'Product implements Node @key(fields: "id") {', 'Product implements Node @key(fields: "sku") {\n  sku: ID!'),
    reviews: edit(REVIEWS, 'type Product @key(fields: "id") {\n  id: ID!', 'type Product @key(fields: "sku") {\n  sku: ID!'),
    expected: { severity: "breaking", coordinate: "Product", source: "federation", subgraph: "catalog" },
  },
  {
    name: "a field is made @shareable in one subgraph but not the other",
    reviews: edit(REVIEWS, "  reviews: [Review!]!\n", "  reviews: [Review!]!\n  name: String! @shareable\n"),
    expected: { composition: "INVALID_FIELD_SHARING", subgraphs: ["catalog", "reviews"] },
  },
  { name: "a field is added", catalog: edit(CATALOG, "  price: Int\n", "  price: Int\n  weightGrams: Int\n"), expected: { severity: "safe", coordinate: "Product.weightGrams" } },
  { name: "a field is deprecated", catalog: edit(CATALOG, "  price: Int\n", '  price: Int @deprecated(reason: "Use priceCents.")\n'), expected: { severity: "safe", coordinate: "Product.price" } },
  { name: "an enum value is deprecated", catalog: edit(CATALOG, "  SOLD_OUT\n", '  SOLD_OUT @deprecated(reason: "Read availability.")\n'), expected: { severity: "safe", coordinate: "Availability.SOLD_OUT" } },
  {
    name: "a deprecation reason changes",
    catalog: edit(CATALOG, '@deprecated(reason: "Use id.")', '@deprecated(reason: "Use id; gone in June.")'),
    expected: { severity: "safe", coordinate: "Product.legacyCode" },
  },
  { name: "a description changes", catalog: edit(CATALOG, '"Something we sell."', '"Something the shop sells."'), expected: { severity: "safe", coordinate: "Product" } },
  { name: "a deprecated field is removed", catalog: edit(CATALOG, '  legacyCode: String @deprecated(reason: "Use id.")\n', ""), expected: { severity: "breaking", coordinate: "Product.legacyCode" } },
  { name: "an argument is removed", catalog: edit(CATALOG, "products(first: Int = 10, filter: ProductFilter)", "products(first: Int = 10)"), expected: { severity: "breaking", coordinate: "Query.products(filter:)" } },
  {
    name: "an entity key is made resolvable (resolvable: false dropped)",
    base: { catalog: SELLER_CATALOG('@key(fields: "id", resolvable: false)'), reviews: SELLER_REVIEWS },
    catalog: SELLER_CATALOG('@key(fields: "id")'),
    reviews: SELLER_REVIEWS,
    expected: { severity: "safe", coordinate: "Seller", source: "federation", subgraph: "catalog" },
  },
  {
    name: "the @key of an entity no other subgraph references or returns is removed",
    base: { catalog: KEYED_CATEGORY },
    catalog: CATALOG,
    expected: { severity: "safe", coordinate: "Category", source: "federation", subgraph: "catalog" },
  },
  {
    name: "a type is added with its fields",
    catalog: edit(CATALOG, "  price: Int\n", "  price: Int\n  dimensions: Dimensions\n") + "type Dimensions {\n  widthMm: Int\n  heightMm: Int\n}\n",
    expected: { severity: "safe", coordinate: "Dimensions" },
  },
  {
    name: "a required input field is added",
    catalog: edit(CATALOG, "input CreateProductInput {\n", "input CreateProductInput {\n  sku: ID!\n"),
    expected: { severity: "breaking", coordinate: "CreateProductInput.sku" },
  },
];

const BASELINE = gitBaseline({ catalog: CATALOG, reviews: REVIEWS });

describe("schema change corpus", () => {
  it.each(CORPUS)("when $name, then the verdict is as expected", async ({ base, catalog, reviews, expected }) => {
    const report = await evaluateSchemaCheck({
      subgraphs: fixtureSubgraphs({ catalog: catalog ?? CATALOG, reviews: reviews ?? REVIEWS }),
      baseline: base ? gitBaseline({ catalog: base.catalog ?? CATALOG, reviews: base.reviews ?? REVIEWS }) : BASELINE,
      operations: { operations: [], problems: [] },
    });

    if ("composition" in expected) {
      expect(report.ok).toBe(false);
      expect(report.composition.errors).toContainEqual(expect.objectContaining({ code: expected.composition, subgraphs: expected.subgraphs }));
      return;
    }
    expect(report.composition.ok).toBe(true);
    expect(report.changes).toContainEqual(expect.objectContaining({ ...expected, severity: expected.severity, coordinate: expected.coordinate }));
    // A change's own severity is the worst the case produces: a safe edit must not drag a breaking one along.
    const worst = report.changes.some((c) => c.severity === "breaking") ? "breaking" : report.changes.some((c) => c.severity === "dangerous") ? "dangerous" : "safe";
    expect(worst).toBe(expected.severity);
    // No recorded operation uses anything here, so nothing blocks.
    expect(report.ok).toBe(true);
    // Every breaking change says how to go on without breaking clients.
    for (const change of report.changes.filter((c) => c.severity === "breaking")) expect(change.suggestion, change.coordinate).toMatch(/\w+/);
  });

  it("when a type and an enum are added, then there is one row for each, not one per field or value", async () => {
    const catalog = edit(CATALOG, "  price: Int\n", "  price: Int\n  dimensions: Dimensions\n  colour: Colour\n") + "type Dimensions {\n  widthMm: Int\n  heightMm(unit: String): Int\n}\n\nenum Colour {\n  RED\n  BLUE\n}\n";
    const report = await evaluateSchemaCheck({ subgraphs: fixtureSubgraphs({ catalog, reviews: REVIEWS }), baseline: BASELINE, operations: { operations: [], problems: [] } });
    expect(report.changes.map((c) => [c.severity, c.coordinate, c.type])).toEqual([
      ["safe", "Colour", "TYPE_ADDED"],
      ["safe", "Dimensions", "TYPE_ADDED"],
      ["safe", "Product.colour", "FIELD_ADDED"],
      ["safe", "Product.dimensions", "FIELD_ADDED"],
    ]);
  });

  it("when a key is made resolvable: false, then it is breaking for the entity the other subgraph references", async () => {
    const report = await evaluateSchemaCheck({
      subgraphs: fixtureSubgraphs({ catalog: SELLER_CATALOG('@key(fields: "id", resolvable: false)'), reviews: SELLER_REVIEWS }),
      baseline: gitBaseline({ catalog: SELLER_CATALOG('@key(fields: "id")'), reviews: SELLER_REVIEWS }),
      operations: { operations: [], problems: [] },
    });
    expect(report.changes).toContainEqual(expect.objectContaining({ severity: "breaking", coordinate: "Seller", type: "ENTITY_KEY_CHANGED", subgraph: "catalog" }));
  });

  it("when nothing changes, then no change is reported", async () => {
    const report = await evaluateSchemaCheck({ subgraphs: fixtureSubgraphs({ catalog: CATALOG, reviews: REVIEWS }), baseline: BASELINE, operations: { operations: [], problems: [] } });
    expect(report.changes).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
