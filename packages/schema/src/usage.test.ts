import { describe, expect, it } from "vitest";
import { observedOperations, parseWindow, USAGE_FORMAT, type UsageExport } from "./usage.ts";

const EXPORT: UsageExport = {
  format: USAGE_FORMAT,
  exportedAt: "2026-12-01T10:00:00.000Z",
  window: { from: "2026-10-01T00:00:00.000Z", to: "2026-12-01T10:00:00.000Z" },
  operations: [
    {
      signature: "a",
      name: "Products",
      kind: "query",
      coordinates: ["Query.products"],
      viaVariables: {},
      clients: [
        { name: "web", version: "1.0", buckets: [{ start: "2026-10-02T00:00:00.000Z", count: 50 }, { start: "2026-11-30T09:00:00.000Z", count: 3 }] },
        { name: "ios", version: "2.0", buckets: [{ start: "2026-11-30T09:00:00.000Z", count: 40 }] },
        { name: "smoke-test", version: "", buckets: [{ start: "2026-11-30T09:00:00.000Z", count: 1000 }] },
      ],
    },
  ],
};

describe("observed traffic", () => {
  it("when a window is given, then only the hours inside it count, per client version", () => {
    const ops = observedOperations(EXPORT, { from: new Date("2026-11-01T00:00:00Z") });
    expect(ops.map((o) => [o.client, o.version, o.count])).toEqual([
      ["smoke-test", "", 1000],
      ["ios", "2.0", 40],
      ["web", "1.0", 3],
    ]);
  });

  it("when --min-count and --exclude-client are given, then rare operations and excluded clients do not count", () => {
    const ops = observedOperations(EXPORT, { from: new Date("2026-11-01T00:00:00Z"), minCount: 10, excludeClients: ["smoke-test"] });
    expect(ops.map((o) => o.client)).toEqual(["ios"]);
  });

  it("when a window is written as 30d, 12h, 2w or 90m, then it is read; anything else is a usage error", () => {
    expect([parseWindow("30d"), parseWindow("12h"), parseWindow("2w"), parseWindow("90m")]).toEqual([30 * 86_400_000, 12 * 3_600_000, 14 * 86_400_000, 90 * 60_000]);
    expect(() => parseWindow("30 days")).toThrow(/--window must be a positive duration/);
    expect(() => parseWindow("0d")).toThrow(/--window/);
  });
});
