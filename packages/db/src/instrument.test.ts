import { registry } from "@monograph/telemetry";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./index.ts";

const countOf = async (statement: string) => {
  const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === "monograph_db_query_duration_seconds");
  return metric?.values.find((value) => value.labels.statement === statement && (value as { metricName?: string }).metricName?.endsWith("_count"))?.value ?? 0;
};

describe("SQL observation", () => {
  it("when Prisma runs statements, inside a transaction or not, then each is timed by kind", async () => {
    const db = await openDatabase({ target: { kind: "pglite", dataDir: "memory://" } });
    try {
      const selects = await countOf("select");
      await db.prisma.outboxEvent.findMany({ take: 1 });
      await db.prisma.$transaction(async (tx) => {
        await tx.outboxEvent.count();
      });
      expect(await countOf("select")).toBeGreaterThanOrEqual(selects + 2);
    } finally {
      await db.close();
    }
  });
});
