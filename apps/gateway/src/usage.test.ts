import { captureLogs } from "@monograph/platform/testing";
import { createHash } from "node:crypto";
import { HeaderMap } from "@apollo/server";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import type { DatabaseHandle } from "@monograph/db";
import { exportUsage } from "@monograph/schema";
import { buildSchema, parse } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadGatewayConfig } from "./env.ts";
import { boundClientField, startUsageReporting, UsageReporter } from "./usage.ts";

const schema = buildSchema(`
  type Query { products(first: Int, filter: Filter): [Product!]! product(sku: ID!): Product }
  type Mutation { createProduct(input: ProductInput!): Product! }
  type Product { sku: ID! name: String! priceCents: Int! }
  input Filter { text: String inStock: Boolean }
  input ProductInput { name: String! priceCents: Int! }
`);

/** What Apollo Server hands the plugin once an operation is resolved. */
function requestOf(query: string, headers: Record<string, string> = {}, operationName?: string) {
  const http = { method: "POST", headers: new HeaderMap(Object.entries(headers)), search: "", body: {} };
  return { queryHash: createHash("sha256").update(query).digest("hex"), operationName: operationName ?? null, document: parse(query), schema, request: { query, http } };
}

const HOUR = 3_600_000;
const T0 = Date.parse("2026-12-01T09:15:00Z");

describe(`usage reporting (${testDatabaseKind()})`, () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  const reporters: UsageReporter[] = [];
  const reporter = (options: Partial<ConstructorParameters<typeof UsageReporter>[0]> = {}) => {
    const made = new UsageReporter({ db: db.prisma, flushIntervalMs: 3_600_000, warn: () => undefined, now: () => T0, ...options });
    reporters.push(made);
    return made;
  };
  const window = { from: new Date(T0 - 2 * HOUR), to: new Date(T0 + 2 * HOUR) };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
  });
  beforeEach(async () => {
    await db.prisma.usageCount.deleteMany();
    await db.prisma.usageOperation.deleteMany();
  });
  afterAll(async () => {
    for (const each of reporters) await each.stop();
    await db?.close();
    await database?.drop();
  });

  it("when one operation is sent many times, written differently, then it is one signature with one count per client version, coordinates computed once", async () => {
    const usage = reporter();
    for (let i = 0; i < 30; i++) usage.record(requestOf(`query List { products(first: ${i}) { sku name } }`, { "apollographql-client-name": "web", "apollographql-client-version": "1.2.0" }));
    usage.record(requestOf("query List {\n  items: products(first: 1) {\n    sku\n    name\n  }\n}", { "apollographql-client-name": "ios" }));
    await usage.flush();

    expect(usage.stats).toMatchObject({ recorded: 31, dropped: 0, signatures: 1, flushes: 1 });
    const exported = await exportUsage(db.prisma, window);
    expect(exported.operations).toHaveLength(1);
    const [op] = exported.operations;
    expect(op).toMatchObject({ name: "List", kind: "query" });
    expect(op!.coordinates).toEqual(expect.arrayContaining(["Query.products", "Query.products(first:)", "Product.sku", "Product.name"]));
    expect(op!.coordinates).not.toContain("Product.priceCents");
    expect(op!.clients).toEqual([
      { name: "ios", version: "", buckets: [{ start: "2026-12-01T09:00:00.000Z", count: 1 }] },
      { name: "web", version: "1.2.0", buckets: [{ start: "2026-12-01T09:00:00.000Z", count: 30 }] },
    ]);
  });

  it("when two gateways flush the same counters, then the counts add up", async () => {
    const a = reporter();
    const b = reporter();
    const query = "query One { product(sku: 1) { name } }";
    for (let i = 0; i < 3; i++) a.record(requestOf(query, { "apollographql-client-name": "web" }));
    for (let i = 0; i < 4; i++) b.record(requestOf(query, { "apollographql-client-name": "web" }));
    await Promise.all([a.flush(), b.flush()]);
    a.record(requestOf(query, { "apollographql-client-name": "web" }));
    await a.flush();
    const exported = await exportUsage(db.prisma, window);
    expect(exported.operations[0]!.clients).toEqual([{ name: "web", version: "", buckets: [{ start: "2026-12-01T09:00:00.000Z", count: 8 }] }]);
  });

  it("when an input type is sent as a variable, then its fields are recorded as used via that variable", async () => {
    const usage = reporter();
    usage.record(requestOf("mutation Add($input: ProductInput!) { createProduct(input: $input) { sku } }"));
    await usage.flush();
    const [op] = (await exportUsage(db.prisma, window)).operations;
    expect(op!.viaVariables).toMatchObject({ "ProductInput.name": ["input"], "ProductInput.priceCents": ["input"] });
    expect(op!.clients[0]!.name).toBe("unknown");
  });

  it("when more distinct counters arrive than the cap, then the rest are dropped and counted, and memory stays bounded", async () => {
    const usage = reporter({ maxPending: 4 });
    // Half the cap starts a flush in the background; the rest of this loop runs before it.
    for (let i = 0; i < 10; i++) usage.record(requestOf("query One { product(sku: 1) { name } }", { "apollographql-client-name": `client-${i}` }));
    expect(usage.stats.recorded).toBe(4);
    expect(usage.stats.dropped).toBe(6);
    await usage.flush();
    expect((await exportUsage(db.prisma, window)).operations[0]!.clients).toHaveLength(4);
  });

  it("when a flush holds more rows than one statement takes, then it writes them all, in one transaction", async () => {
    const usage = reporter({ maxPending: 5_000 });
    for (let i = 0; i < 1_200; i++) usage.record(requestOf("query One { product(sku: 1) { name } }", { "apollographql-client-name": `client-${i}` }));
    await usage.flush();
    expect(usage.stats).toMatchObject({ recorded: 1_200, dropped: 0, flushedCounts: 1_200, failedFlushes: 0 });
    expect(await db.prisma.usageCount.count()).toBe(1_200);
  });

  it("when stopped, then it writes what is pending and counts nothing after", async () => {
    const usage = reporter();
    usage.record(requestOf("query One { product(sku: 1) { name } }"));
    await usage.stop();
    usage.record(requestOf("query One { product(sku: 1) { name } }"));
    await usage.flush();
    expect((await exportUsage(db.prisma, window)).operations[0]!.clients[0]!.buckets[0]!.count).toBe(1);
  });

  it("when requests fall in different hours, then each hour has its own count, and the export keeps to the window", async () => {
    let now = T0;
    const usage = reporter({ now: () => now });
    usage.record(requestOf("query One { product(sku: 1) { name } }"));
    now = T0 + HOUR;
    usage.record(requestOf("query One { product(sku: 1) { name } }"));
    usage.record(requestOf("query One { product(sku: 1) { name } }"));
    await usage.flush();
    expect((await exportUsage(db.prisma, window)).operations[0]!.clients[0]!.buckets.map((b) => b.count)).toEqual([1, 2]);
    expect((await exportUsage(db.prisma, { from: new Date(T0 + HOUR), to: new Date(T0 + 2 * HOUR) })).operations[0]!.clients[0]!.buckets.map((b) => b.count)).toEqual([2]);
  });
});

describe("client headers", () => {
  it("when a client name or version is long or has odd characters, then it is bounded to 64 safe characters", () => {
    expect(boundClientField("web-shop", "unknown")).toBe("web-shop");
    expect(boundClientField(undefined, "unknown")).toBe("unknown");
    expect(boundClientField("  ", "unknown")).toBe("unknown");
    expect(boundClientField("a\nb<script>", "unknown")).toBe("a_b_script_");
    expect(boundClientField("x".repeat(10_000), "unknown")).toHaveLength(64);
  });
});

describe("configuration", () => {
  const SECRETS = { JWT_SECRET: "usage-test-jwt-secret-0123456789", INTERNAL_SECRET: "usage-test-internal-secret-0123456789", NODE_ENV: "test" };

  it("when USAGE_REPORTING is unset, then it is on; off turns it off; anything else is refused at start-up", () => {
    expect(loadGatewayConfig(SECRETS).usageReporting).toBe(true);
    expect(loadGatewayConfig({ ...SECRETS, USAGE_REPORTING: "off" }).usageReporting).toBe(false);
    const exit = vi.spyOn(process, "exit").mockImplementation(() => {
      throw new Error("exited");
    });
    const logs = captureLogs();
    try {
      expect(() => loadGatewayConfig({ ...SECRETS, USAGE_REPORTING: "sometimes" })).toThrow("exited");
      expect(logs.matching("invalid configuration").map((line) => String(line.msg)).join("\n")).toContain("USAGE_REPORTING");
    } finally {
      exit.mockRestore();
      logs.restore();
    }
  });

  it("when it is off, or a gateway without a database of its own has no PostgreSQL URL, then there is no usage reporting", async () => {
    const off = loadGatewayConfig({ ...SECRETS, USAGE_REPORTING: "off" });
    expect(await startUsageReporting({ config: off, target: { kind: "postgres", url: "postgresql://127.0.0.1:1/none" } })).toBeUndefined();
    const distributed = loadGatewayConfig(SECRETS);
    expect(await startUsageReporting({ config: distributed, target: { kind: "pglite", dataDir: "memory://" } })).toBeUndefined();
  });
});
