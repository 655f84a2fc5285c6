import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OutboxRelay, recordEvent, type IntegrationEvent } from "./index.ts";

const quiet = () => undefined;

/**
 * Two relays of one domain over one database, as two replicas of a subgraph run: on PostgreSQL each on a client
 * (a connection pool) of its own, as two processes would; on PGlite (one process, one connection) on the same one.
 */
describe("outbox relay replicas", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  let other: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
    other = testDatabaseKind() === "postgres" ? await database.open() : db;
  });
  afterAll(async () => {
    if (other !== db) await other?.close();
    await db?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await db.prisma.outboxEvent.deleteMany();
  });

  const recordMany = async (count: number) => {
    const ids: string[] = [];
    // A few transactions of many rows each: quicker than one per row, same rows.
    for (let start = 0; start < count; start += 50) {
      await db.prisma.$transaction(async (tx) => {
        for (let n = start; n < Math.min(count, start + 50); n += 1) ids.push((await recordEvent(tx, { source: "orders", type: "orders.created", payload: { n } })).id);
      });
    }
    return ids;
  };

  /** A batch transport that records who published what, and answers after a short pause, as a network would. */
  const countingTransport = (published: Map<string, number>, name: string, byRelay: Map<string, number>) => ({
    publish: async () => Promise.reject(new Error("use publishMany")),
    publishMany: async (events: readonly IntegrationEvent[]) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      for (const event of events) published.set(event.id, (published.get(event.id) ?? 0) + 1);
      byRelay.set(name, (byRelay.get(name) ?? 0) + events.length);
      return events.map(() => null);
    },
  });

  it("when two relays race over many rows, then every row is published exactly once, and both take a share", async () => {
    const ids = await recordMany(600);
    const published = new Map<string, number>();
    const byRelay = new Map<string, number>();
    const a = new OutboxRelay({ db: db.prisma, transport: countingTransport(published, "a", byRelay), sources: ["orders"], batchSize: 20, pollIntervalMs: 20, log: quiet });
    const b = new OutboxRelay({ db: other.prisma, transport: countingTransport(published, "b", byRelay), sources: ["orders"], batchSize: 20, pollIntervalMs: 20, log: quiet });
    a.start();
    b.start();
    try {
      await expect.poll(() => db.prisma.outboxEvent.count({ where: { publishedAt: null } }), { timeout: 60_000, interval: 100 }).toBe(0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(published.size).toBe(ids.length);
    const doubled = [...published].filter(([, times]) => times !== 1);
    expect(doubled).toEqual([]);
    expect(a.totals.published + b.totals.published).toBe(ids.length);
    // Both replicas did part of the work: the claims split the rows rather than one relay taking everything.
    expect(byRelay.get("a")).toBeGreaterThan(0);
    expect(byRelay.get("b")).toBeGreaterThan(0);
  });

  it("when a relay's transport hangs with rows claimed, then the other relay delivers them once the claim's lease has run out", async () => {
    const ids = await recordMany(60);
    let releaseHung: (() => void) | undefined;
    const hung = new Promise<void>((resolve) => (releaseHung = resolve));
    const hangingTransport = {
      publish: async () => Promise.reject(new Error("use publishMany")),
      // Never answers until the test ends, as a transport stuck on a dead connection: the relay keeps its claims.
      publishMany: async (events: readonly IntegrationEvent[]) => {
        await hung;
        return events.map(() => new Error("gave up"));
      },
    };
    const stuck = new OutboxRelay({ db: db.prisma, transport: hangingTransport, sources: ["orders"], batchSize: 25, claimLeaseMs: 1_000, log: quiet });
    const published = new Map<string, number>();
    const byRelay = new Map<string, number>();
    const healthy = new OutboxRelay({ db: other.prisma, transport: countingTransport(published, "healthy", byRelay), sources: ["orders"], batchSize: 25, claimLeaseMs: 1_000, pollIntervalMs: 50, log: quiet });
    stuck.start();
    try {
      // The stuck relay holds a batch: those rows carry its claim.
      await expect.poll(() => db.prisma.outboxEvent.count({ where: { claimedBy: stuck.relayId } }), { timeout: 10_000 }).toBe(25);
      healthy.start();
      // Everything else goes out at once; the stuck relay's rows once its lease runs out.
      await expect.poll(() => db.prisma.outboxEvent.count({ where: { publishedAt: null } }), { timeout: 30_000, interval: 100 }).toBe(0);
      expect(published.size).toBe(ids.length);
      expect([...published.values()].every((times) => times === 1)).toBe(true);
    } finally {
      releaseHung!();
      await Promise.all([stuck.stop(), healthy.stop()]);
    }
    // The stuck relay's late failure gives nothing back: every row stays published, none is claimed again.
    expect(await db.prisma.outboxEvent.count({ where: { publishedAt: null } })).toBe(0);
  });

  it("when a relay's claim is still running, then the other relay leaves those rows alone", async () => {
    await recordMany(10);
    let releaseHung: (() => void) | undefined;
    const hung = new Promise<void>((resolve) => (releaseHung = resolve));
    const stuck = new OutboxRelay({
      db: db.prisma,
      transport: { publish: async () => Promise.reject(new Error("use publishMany")), publishMany: async (events) => (await hung, events.map(() => null)) },
      sources: ["orders"],
      claimLeaseMs: 60_000,
      log: quiet,
    });
    const published = new Map<string, number>();
    const other$ = new OutboxRelay({ db: other.prisma, transport: countingTransport(published, "other", new Map()), sources: ["orders"], claimLeaseMs: 60_000, log: quiet });
    stuck.start();
    try {
      await expect.poll(() => db.prisma.outboxEvent.count({ where: { claimedBy: stuck.relayId } }), { timeout: 10_000 }).toBe(10);
      expect(await other$.flush()).toEqual({ published: 0, failed: 0 });
      expect(published.size).toBe(0);
    } finally {
      releaseHung!();
      await stuck.stop();
    }
    // The stuck relay's publish went through in the end: it stamps its rows.
    expect(await db.prisma.outboxEvent.count({ where: { publishedAt: null } })).toBe(0);
  });
});
