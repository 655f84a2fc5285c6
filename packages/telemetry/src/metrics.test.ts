import { describe, expect, it } from "vitest";
import { BoundedLabel, countGraphQLErrors, observeSql, registerOutboxBacklog, registry, renderMetrics, startMetricsServer, statementKind } from "./metrics.ts";

const valueOf = async (name: string, labels: Record<string, string>) => {
  const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  return metric?.values.find((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label))?.value;
};

describe("metrics", () => {
  it("when clients send more distinct names than allowed, or names that are not names, then they all count as the fallback", () => {
    const label = new BoundedLabel(2, /^[A-Za-z]+$/, "unknown");
    expect([label.of("Products"), label.of("MyOrders"), label.of("Third"), label.of("Products"), label.of("{ me }"), label.of(undefined)]).toEqual([
      "Products",
      "MyOrders",
      "unknown",
      "Products",
      "unknown",
      "unknown",
    ]);
  });

  it("when an answer carries errors, then each is counted by code, and refusals by a limit are counted by that limit", async () => {
    const before = (await valueOf("monograph_operations_refused_total", { limit: "DEPTH_LIMIT_EXCEEDED" })) ?? 0;
    countGraphQLErrors(["DEPTH_LIMIT_EXCEEDED", "NOT_FOUND", "RATE_LIMITED", undefined]);
    expect(await valueOf("monograph_operations_refused_total", { limit: "DEPTH_LIMIT_EXCEEDED" })).toBe(before + 1);
    expect(await valueOf("monograph_operations_refused_total", { limit: "RATE_LIMITED" })).toBeGreaterThanOrEqual(1);
    expect(await valueOf("monograph_operations_refused_total", { limit: "NOT_FOUND" })).toBeUndefined();
    expect(await valueOf("monograph_graphql_errors_total", { code: "INTERNAL_SERVER_ERROR" })).toBeGreaterThanOrEqual(1);
  });

  it("when the outbox has a backlog, then a scrape reads it: rows waiting and the age of the oldest, per source", async () => {
    const unregister = registerOutboxBacklog(async () => [{ source: "orders", pending: 3, oldestAgeSeconds: 12.5 }]);
    try {
      const text = await renderMetrics();
      expect(text).toContain('monograph_outbox_backlog{source="orders"} 3');
      expect(text).toContain('monograph_outbox_oldest_age_seconds{source="orders"} 12.5');
    } finally {
      unregister();
    }
    expect(await renderMetrics()).not.toContain('monograph_outbox_backlog{source="orders"}');
  });

  it("when SQL runs, then its duration is observed by statement kind", async () => {
    expect(statementKind('SELECT "id" FROM "orders"."orders"')).toBe("select");
    expect(statementKind("  insert into x values (1)")).toBe("insert");
    expect(statementKind("WITH a AS (SELECT 1) UPDATE t SET x = 1")).toBe("update");
    expect(statementKind("VACUUM")).toBe("other");
    await observeSql("DELETE FROM t", async () => undefined);
    const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === "monograph_db_query_duration_seconds");
    expect(metric?.values.some((value) => value.labels.statement === "delete" && (value as { metricName?: string }).metricName?.endsWith("_count") && value.value === 1)).toBe(true);
  });

  it("when a statement fails, then the caller gets its error and its duration is still observed", async () => {
    const failure = new Error("relation does not exist");
    const countOf = async () =>
      (await registry.getMetricsAsJSON())
        .find((candidate) => candidate.name === "monograph_db_query_duration_seconds")
        ?.values.find((value) => value.labels.statement === "update" && (value as { metricName?: string }).metricName?.endsWith("_count"))?.value ?? 0;
    const before = await countOf();
    await expect(observeSql("UPDATE t SET x = 1", () => Promise.reject(failure))).rejects.toBe(failure);
    expect(() => observeSql("UPDATE t SET x = 2", () => { throw failure; })).toThrow(failure);
    expect(await countOf()).toBe(before + 2);
  });

  it("when METRICS_PORT is set, then /metrics is served on that port alone, with the runtime metrics", async () => {
    const server = await startMetricsServer(0);
    try {
      const response = await fetch(`${server.url}/metrics`);
      expect(response.headers.get("content-type")).toContain("text/plain");
      const text = await response.text();
      expect(text).toContain("monograph_process_cpu_seconds_total");
      expect(text).toContain("monograph_nodejs_eventloop_lag_seconds");
      expect((await fetch(`${server.url}/graphql`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
