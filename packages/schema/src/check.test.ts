import { describe, expect, it } from "vitest";
import { evaluateSchemaCheck, type Baseline } from "./check.ts";
import { CompositionFailure } from "./errors.ts";
import { CATALOG, edit, fixtureSubgraphs, gitBaseline, REVIEWS } from "./fixtures.test-support.ts";
import { compareText } from "./committed.ts";
import { parseOperations } from "./operations.ts";
import { formatReport } from "./report.ts";
import type { ObservedOperation } from "./usage.ts";

const BASELINE = gitBaseline({ catalog: CATALOG, reviews: REVIEWS });

const OPERATIONS = parseOperations([
  { client: "web", file: "operations/web/product.graphql", body: "query ProductPage($id: ID!) { product(id: $id) { id name price reviews { rating } } }" },
  { client: "web", file: "operations/web/in-stock.graphql", body: "query InStock { products(filter: { availability: IN_STOCK }) { id } }" },
  { client: "admin", file: "operations/admin/create.graphql", body: "mutation Create($input: CreateProductInput!) { createProduct(input: $input) { id } }" },
]);

async function check(next: { catalog?: string; reviews?: string }, options: { failOnUnusedBreaking?: boolean; baseline?: Baseline } = {}) {
  return evaluateSchemaCheck({
    subgraphs: fixtureSubgraphs({ catalog: next.catalog ?? CATALOG, reviews: next.reviews ?? REVIEWS }),
    baseline: options.baseline ?? BASELINE,
    operations: OPERATIONS,
    failOnUnusedBreaking: options.failOnUnusedBreaking,
  });
}

describe("usage-aware verdicts", () => {
  it("when a breaking change touches a field an operation selects, then the check fails naming the operation", async () => {
    const report = await check({ catalog: edit(CATALOG, "  name: String!\n", "  name: Int!\n") });
    expect(report.ok).toBe(false);
    const change = report.changes.find((c) => c.coordinate === "Product.name");
    expect(change).toMatchObject({ severity: "breaking", blocking: true, usedBy: [{ client: "web", operation: "ProductPage", file: "operations/web/product.graphql" }] });
    expect(report.failures.join("\n")).toContain("web/ProductPage");
  });

  it("when a breaking change touches nothing any operation uses, then it is reported and the check passes", async () => {
    const report = await check({ catalog: edit(CATALOG, "union SearchResult = Product | Category", "union SearchResult = Product") });
    expect(report.changes).toContainEqual(expect.objectContaining({ coordinate: "SearchResult", severity: "breaking", blocking: false, usedBy: [] }));
    expect(report.ok).toBe(true);
  });

  it("when --fail-on-unused-breaking is set, then an unused breaking change fails too", async () => {
    const report = await check({ catalog: edit(CATALOG, "union SearchResult = Product | Category", "union SearchResult = Product") }, { failOnUnusedBreaking: true });
    expect(report.ok).toBe(false);
    expect(report.failures.join("\n")).toContain("--fail-on-unused-breaking");
  });

  it("when a deprecated field no operation uses is removed, then the check passes", async () => {
    const report = await check({ catalog: edit(CATALOG, '  legacyCode: String @deprecated(reason: "Use id.")\n', "") });
    expect(report.changes).toContainEqual(expect.objectContaining({ coordinate: "Product.legacyCode", severity: "breaking", blocking: false }));
    expect(report.ok).toBe(true);
  });

  it("when an enum value an operation writes as a literal is removed, then the check fails and the operation no longer validates", async () => {
    const report = await check({ catalog: edit(CATALOG, "  IN_STOCK\n", "") });
    expect(report.changes.find((c) => c.coordinate === "Availability.IN_STOCK")).toMatchObject({ blocking: true, usedBy: [{ operation: "InStock" }] });
    expect(report.operations.find((o) => o.operation === "InStock")).toMatchObject({ ok: false, client: "web" });
  });

  it("when an enum value no operation writes is removed, then it passes even though an operation reads the enum's field", async () => {
    const ops = parseOperations([{ client: "web", file: "a.graphql", body: "query A { product(id: 1) { availability } }" }]);
    const report = await evaluateSchemaCheck({ subgraphs: fixtureSubgraphs({ catalog: edit(CATALOG, "  SOLD_OUT\n", ""), reviews: REVIEWS }), baseline: BASELINE, operations: ops });
    expect(report.changes.find((c) => c.coordinate === "Availability.SOLD_OUT")).toMatchObject({ severity: "breaking", blocking: false });
    expect(report.ok).toBe(true);
  });

  it("when an input field is removed from an input type an operation sends as a variable, then the check fails", async () => {
    const report = await check({ catalog: edit(CATALOG, "  name: String!\n  price: Int\n}", "  name: String!\n}") });
    expect(report.changes.find((c) => c.coordinate === "CreateProductInput.price")).toMatchObject({ blocking: true, usedBy: [{ client: "admin", operation: "Create" }] });
    // The variable still validates: the break is in what the client sends, which only usage can see.
    expect(report.operations.every((o) => o.ok)).toBe(true);
  });

  it("when an argument an operation does not pass is made required, then the change is used by that operation and fails", async () => {
    const report = await check({ catalog: edit(CATALOG, "products(first: Int = 10,", "products(first: Int!,") });
    expect(report.changes.find((c) => c.coordinate === "Query.products(first:)")).toMatchObject({ severity: "breaking", blocking: true, usedBy: [{ client: "web", operation: "InStock" }] });
    expect(report.operations.find((o) => o.operation === "InStock")).toMatchObject({ ok: false });
    expect(report.ok).toBe(false);
  });

  it("when a field an operation selects through another subgraph is removed, then the operation fails validation with its client and file", async () => {
    const report = await check({ reviews: edit(REVIEWS, "  rating: Int\n", "") });
    expect(report.ok).toBe(false);
    const op = report.operations.find((o) => !o.ok);
    expect(op).toMatchObject({ client: "web", operation: "ProductPage", file: "operations/web/product.graphql" });
    expect(op?.errors.join(" ")).toMatch(/Cannot query field "rating" on type "Review".*operations\/web\/product\.graphql:1:/);
  });

  it("when a dangerous change touches an enum an operation reads, then it is reported with the operation and does not fail", async () => {
    const ops = parseOperations([{ client: "web", file: "a.graphql", body: "query A { product(id: 1) { availability } }" }]);
    const report = await evaluateSchemaCheck({ subgraphs: fixtureSubgraphs({ catalog: edit(CATALOG, "  SOLD_OUT\n", "  SOLD_OUT\n  BACKORDER\n"), reviews: REVIEWS }), baseline: BASELINE, operations: ops });
    expect(report.changes.find((c) => c.coordinate === "Availability.BACKORDER")).toMatchObject({ severity: "dangerous", blocking: false, usedBy: [{ operation: "A" }] });
    expect(report.ok).toBe(true);
  });
});

describe("baselines and failures", () => {
  it("when a subgraph did not exist at the baseline, then its types are reported as safe additions", async () => {
    const report = await check({}, { baseline: gitBaseline({ catalog: CATALOG }) });
    expect(report.ok).toBe(true);
    expect(report.changes).toContainEqual(expect.objectContaining({ coordinate: "Review", severity: "safe" }));
  });

  it("when there is no baseline, then nothing is classified and the other checks still run", async () => {
    const report = await check({}, { baseline: { kind: "none", description: "no history" } });
    expect(report.changes).toEqual([]);
    expect(report.operations).toHaveLength(3);
    expect(report.ok).toBe(true);
  });

  it("when the baseline is a schema file, then the API schema is compared with it", async () => {
    const sdl = "type Query { product(id: ID!): Product } type Product { id: ID! name: String! sku: String }";
    const report = await check({}, { baseline: { kind: "file", file: "old.graphql", description: "old.graphql", sdl } });
    expect(report.changes).toContainEqual(expect.objectContaining({ coordinate: "Product.sku", severity: "breaking", blocking: false }));
    expect(report.baseline.note).toMatch(/entity keys not compared/);
  });

  it("when a subgraph's SDL file is missing, then the check fails naming the subgraph", async () => {
    const report = await evaluateSchemaCheck({
      subgraphs: new CompositionFailure([{ code: "MISSING_SDL_FILE", message: 'missing SDL file for subgraph "orders"', subgraphs: ["orders"], locations: [] }]),
      baseline: BASELINE,
      operations: OPERATIONS,
    });
    expect(report.ok).toBe(false);
    expect(report.failures[0]).toContain("[orders] MISSING_SDL_FILE");
  });

  it("when a recorded document does not parse, then the check fails naming the client and file", async () => {
    const ops = parseOperations([{ client: "ios", file: "operations/ios/broken.graphql", body: "query Broken { product(id: 1) { id }" }]);
    const report = await evaluateSchemaCheck({ subgraphs: fixtureSubgraphs({ catalog: CATALOG, reviews: REVIEWS }), baseline: BASELINE, operations: ops });
    expect(report.ok).toBe(false);
    expect(report.operations[0]).toMatchObject({ client: "ios", file: "operations/ios/broken.graphql", ok: false });
    expect(report.operations[0]?.errors[0]).toMatch(/does not parse: Syntax Error.*broken\.graphql:1:/);
  });
});

const observed = (operation: string, client: string, version: string, count: number, coordinates: string[], viaVariables: Record<string, string[]> = {}): ObservedOperation => ({
  signature: `sig-${operation}`,
  operation,
  client,
  version,
  count,
  lastSeen: "2026-12-01T09:00:00.000Z",
  coordinates: new Set(coordinates),
  viaVariables: new Map(Object.entries(viaVariables)),
});

const traffic = (operations: ObservedOperation[]) => ({ source: "test", window: { from: "2026-11-01T00:00:00.000Z", to: "2026-12-01T00:00:00.000Z" }, minCount: 1, excludedClients: [], operations });
const NO_OPERATIONS = { operations: [], problems: [] };

describe("observed traffic, approvals and the text of verdicts", () => {
  const removeLegacy = edit(CATALOG, '  legacyCode: String @deprecated(reason: "Use id.")\n', "");

  it("when a breaking change hits a coordinate only observed traffic uses, then the check fails naming the client, version, operation and count", async () => {
    const report = await evaluateSchemaCheck({
      subgraphs: fixtureSubgraphs({ catalog: removeLegacy, reviews: REVIEWS }),
      baseline: BASELINE,
      operations: NO_OPERATIONS,
      traffic: traffic([observed("LegacyLookup", "ios", "2.3.1", 1204, ["Query", "Query.product", "Product", "Product.legacyCode"]), observed("Other", "ios", "2.3.1", 5, ["Product.id"])]),
    });
    expect(report.ok).toBe(false);
    const change = report.changes.find((c) => c.coordinate === "Product.legacyCode");
    expect(change).toMatchObject({ blocking: true, usedBy: [], observedBy: [{ client: "ios", version: "2.3.1", operation: "LegacyLookup", count: 1204 }] });
    expect(report.failures[0]).toContain("traffic of ios 2.3.1: LegacyLookup (1,204 requests)");
    expect(report.failures[0]).toContain("Way forward: Product.legacyCode is deprecated already: keep it until no recorded operation or observed traffic selects it");
    expect(report.usage.traffic?.clients).toEqual([{ name: "ios", version: "2.3.1", requests: 1209 }]);
    expect(formatReport(report, "table")).toMatch(/Product\.legacyCode +ios 2\.3\.1: LegacyLookup \(1,204 requests\) +fails/);
    expect(formatReport(report, "markdown")).toContain("**Way forward:**");
  });

  it("when an operation uses a removed input field only through a variable, then its use says via variable", async () => {
    const report = await check({ catalog: edit(CATALOG, "  name: String!\n  price: Int\n}", "  name: String!\n}") });
    expect(report.changes.find((c) => c.coordinate === "CreateProductInput.price")?.usedBy).toEqual([{ client: "admin", operation: "Create", file: "operations/admin/create.graphql", viaVariables: ["input"] }]);
    expect(report.failures.join("\n")).toContain("used by admin/Create via variable `$input`");
  });

  it("when an operation writes the removed input field as a literal, then it does not say via variable", async () => {
    const ops = parseOperations([{ client: "web", file: "a.graphql", body: 'mutation A { createProduct(input: { name: "x", price: 1 }) { id } }' }]);
    const report = await evaluateSchemaCheck({ subgraphs: fixtureSubgraphs({ catalog: edit(CATALOG, "  name: String!\n  price: Int\n}", "  name: String!\n}"), reviews: REVIEWS }), baseline: BASELINE, operations: ops });
    expect(report.changes.find((c) => c.coordinate === "CreateProductInput.price")?.usedBy).toEqual([{ client: "web", operation: "A", file: "a.graphql" }]);
  });

  it("when a reviewer approved the breaking change, then the check passes and lists the approval; others are reported unused or expired", async () => {
    const approval = { coordinate: "Product.name", change: "FIELD_TYPE_CHANGED", reason: "Every client reads it as a string.", approvedBy: "alice" };
    const leftOver = { coordinate: "Product.gone", change: "FIELD_REMOVED", reason: "merged last week", approvedBy: "bob" };
    const expired = { coordinate: "Product.name", change: "FIELD_TYPE_CHANGED", reason: "old", approvedBy: "carol", expires: "2026-11-30" };
    const report = await evaluateSchemaCheck({
      subgraphs: fixtureSubgraphs({ catalog: edit(CATALOG, "  name: String!\n", "  name: Int!\n"), reviews: REVIEWS }),
      baseline: BASELINE,
      operations: OPERATIONS,
      approvals: { file: "packages/schema/schema-approvals.json", approvals: [expired, approval, leftOver] },
      now: new Date("2026-12-01T10:00:00Z"),
    });
    expect(report.ok, report.failures.join("\n")).toBe(true);
    expect(report.changes.find((c) => c.coordinate === "Product.name")).toMatchObject({ blocking: false, approval, usedBy: [{ operation: "ProductPage" }] });
    expect(report.approvals).toMatchObject({ applied: [approval], unused: [leftOver], expired: [expired] });
    expect(report.summary.approved).toBe(1);
    const table = formatReport(report, "table");
    expect(table).toMatch(/Product\.name +web\/ProductPage +passes \(approved by alice\)/);
    expect(table).toContain("unused    Product.gone FIELD_REMOVED, approved by bob");
    expect(table).toContain("expired   Product.name FIELD_TYPE_CHANGED, approved by carol until 2026-11-30");
  });

  it("when an approval names another change kind of the same coordinate, then it approves nothing", async () => {
    const report = await evaluateSchemaCheck({
      subgraphs: fixtureSubgraphs({ catalog: edit(CATALOG, "  name: String!\n", "  name: Int!\n"), reviews: REVIEWS }),
      baseline: BASELINE,
      operations: OPERATIONS,
      approvals: { approvals: [{ coordinate: "Product.name", change: "FIELD_REMOVED", reason: "x", approvedBy: "alice" }] },
    });
    expect(report.ok).toBe(false);
    expect(report.approvals.unused).toHaveLength(1);
  });
});

describe("drift", () => {
  it("when a file differs in trailing spaces and in a real line, then the first real difference is shown", () => {
    expect(compareText("f", "type A {\n  a: Int  \n  b: Int\n}\n", "type A {\n  a: Int\n  c: Int\n}\n").firstDifference).toEqual({ line: 3, committed: "  b: Int", composed: "  c: Int" });
  });

  it("when a file differs only in whitespace, then that line is shown, with the whitespace visible in the table", () => {
    const file = compareText("packages/schema/api-schema.graphql", "type A {\n  a: Int  \n}\n", "type A {\n  a: Int\n}\n");
    expect(file).toMatchObject({ status: "stale", firstDifference: { line: 2 } });
  });
});
