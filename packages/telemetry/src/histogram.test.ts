import fc from "fast-check";
import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { RequestPathHistogram } from "./histogram.ts";

const BOUNDS = [0.0005, 0.001, 0.005, 0.01, 0.25, 1, 10];

/** The same observations into prom-client's Histogram and ours, each in a registry of its own. */
function both(labelNames: readonly string[]) {
  const stock = new Registry();
  const ours = new Registry();
  const reference = new Histogram({ name: "h_seconds", help: "A histogram.", labelNames, buckets: BOUNDS, registers: [stock] });
  const histogram = new RequestPathHistogram("h_seconds", "A histogram.", labelNames, BOUNDS, [ours]);
  return {
    observe(labels: Record<string, string>, value: number) {
      reference.observe(labels, value);
      histogram.observe(labels, value);
    },
    histogram,
    stock,
    ours,
  };
}

const observation = fc.record({
  route: fc.constantFrom("/graphql", "/health", "other"),
  kind: fc.constantFrom("select", "insert"),
  value: fc.oneof(fc.constantFrom(0, 0.0005, 0.001, 1, 10, 10.5), fc.double({ min: 0, max: 20, noNaN: true })),
});

describe("the request-path histogram", () => {
  it("when it observes what prom-client's Histogram observes, then /metrics shows the same text, line for line", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
        const { observe, stock, ours } = both(["route", "kind"]);
        for (const { route, kind, value } of observations) observe({ route, kind }, value);
        expect(await ours.metrics()).toBe(await stock.metrics());
        // prom-client's values carry `exemplar: null` (exemplars are off); ours carry no exemplar at all.
        const withoutExemplars = async (registry: Registry) =>
          (await registry.getMetricsAsJSON()).map((metric) => ({ ...metric, values: metric.values.map((value) => ({ ...value, exemplar: undefined })) }));
        expect(await withoutExemplars(ours)).toEqual(await withoutExemplars(stock));
      }),
      { numRuns: 200, seed: 9 },
    );
  });

  it("when values fall on, between and above the bounds, then each bucket counts the values at or below its bound", async () => {
    const { observe, histogram } = both(["route"]);
    for (const value of [0.0005, 0.0006, 0.25, 11, 11]) observe({ route: "/graphql" }, value);
    const values = (await histogram.get()).values;
    const bucket = (le: number | string) => values.find((value) => value.metricName === "h_seconds_bucket" && value.labels.le === le)?.value;
    expect([bucket(0.0005), bucket(0.001), bucket(0.25), bucket(10), bucket("+Inf")]).toEqual([1, 2, 3, 3, 5]);
    expect(values.find((value) => value.metricName === "h_seconds_sum")?.value).toBeCloseTo(22.2511, 6);
  });

  it("when reset, then it has no series until it observes again", async () => {
    const { observe, histogram, ours } = both(["route"]);
    observe({ route: "/graphql" }, 0.01);
    histogram.reset();
    expect(await ours.metrics()).not.toContain("h_seconds_count");
  });

  it("when given a label it does not have, a missing label or a value that is not a number, then it refuses, as prom-client does", () => {
    const { histogram } = both(["route"]);
    expect(() => histogram.observe({ route: "/graphql", path: "/x" } as { route: string }, 0.1)).toThrow(/unknown label "path"/);
    expect(() => histogram.observe({} as { route: string }, 0.1)).toThrow(/label "route" has no value/);
    expect(() => histogram.observe({ route: "/graphql" }, Number.NaN)).toThrow(TypeError);
    expect(() => new RequestPathHistogram("x", "x", ["a"], [1, 0.5], [])).toThrow(/must increase/);
  });
});
