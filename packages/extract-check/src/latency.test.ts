import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkLatency, measureLatency, percentile } from "./latency.ts";
import { planRecordedOperations } from "./operations.ts";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const planned = () => planRecordedOperations(REPO_ROOT, path.join(REPO_ROOT, "packages/schema/supergraph.graphql"), path.join(REPO_ROOT, "packages/schema/operations"));

describe("which recorded operations touch a domain", () => {
  it("when the recorded operations are planned against the committed supergraph, then each lists the subgraphs its plan fetches from", () => {
    const { operations, problems } = planned();
    expect(problems).toEqual([]);
    const subgraphsOf = (name: string) => operations.find((operation) => operation.name === name)?.subgraphs;
    expect(subgraphsOf("MyOrders")).toEqual(["billing", "inventory", "orders", "users"]);
    expect(subgraphsOf("Order")).toEqual(["billing", "inventory", "orders"]);
    expect(subgraphsOf("CreateOrder")).toEqual(["inventory", "orders"]);
    expect(subgraphsOf("Products")).toEqual(["inventory"]);
    expect(subgraphsOf("Me")).toEqual(["users"]);
  });

  it("percentiles are nearest-rank", () => {
    expect([percentile([5, 1, 3, 2, 4], 0.5), percentile([5, 1, 3, 2, 4], 0.99), percentile([], 0.5)]).toEqual([3, 5, Number.NaN]);
  });
});

describe("the latency of the hop, measured (monolith and hybrid on loopback)", () => {
  it(
    "when orders' recorded queries are sent to the monolith and to the hybrid shape with orders out, then every request answers and the added p50, p99 and CPU per request are reported",
    async () => {
      const lines: string[] = [];
      // Bounded: 2 alternating rounds x 8 requests x 2 queries x 2 shapes, one connection.
      const bench = await measureLatency({ domain: "orders", operations: planned().operations, rounds: 2, requestsPerRound: 8, connections: 1, log: (line) => lines.push(line) });
      expect(lines).toEqual(["Starting the monolith and hybrid-orders shapes...", "Round 1 of 2: monolith, then hybrid-orders", "Round 2 of 2: hybrid-orders, then monolith"]);
      expect(bench.shapes).toEqual(["monolith", "hybrid-orders"]);
      expect(bench.operations.map((operation) => operation.name).sort()).toEqual(["MyOrders", "Order"]);
      expect(bench.skipped.map((skip) => skip.name).sort()).toEqual(["CancelOrder", "CreateOrder"]);
      for (const operation of bench.operations) {
        for (const figures of [operation.monolith, operation.hybrid]) {
          expect(figures).toMatchObject({ requests: 16, errors: 0 });
          expect(figures.p50Ms).toBeGreaterThan(0);
          expect(figures.p99Ms).toBeGreaterThanOrEqual(figures.p50Ms);
          expect(figures.cpuMsPerRequest).toBeGreaterThanOrEqual(0);
        }
      }
      const row = checkLatency("orders", 1_000_000, "measured now", bench);
      expect(row.verdict).toBe("pass");
      expect(row.evidence.find((line) => line.startsWith("MyOrders:"))).toMatch(/^MyOrders: p50 [\d.]+ ms -> [\d.]+ ms \([+-][\d.]+ ms\), p99 .* CPU\/request .*; 32 requests, 0 errors$/);
      expect(bench.overall).toMatchObject({ monolith: { requests: 32, errors: 0 }, hybrid: { requests: 32, errors: 0 } });
      expect(checkLatency("orders", 0, "measured now", { ...bench, operations: bench.operations.map((op) => ({ ...op, hybrid: { ...op.hybrid, p99Ms: op.monolith.p99Ms + 1 } })), overall: undefined }).verdict).toBe("fail");
    },
    300_000,
  );
});
