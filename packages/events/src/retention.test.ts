import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEvent, EventsRetention, handleOnce, recordEvent } from "./index.ts";

const quiet = () => undefined;
const MINUTE = 60_000;

describe("events retention", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await db.prisma.outboxEvent.deleteMany();
    await db.prisma.processedEvent.deleteMany();
  });

  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * MINUTE);
  const record = async (source: string, { publishedMinutesAgo, occurredMinutesAgo }: { publishedMinutesAgo?: number; occurredMinutesAgo?: number } = {}) => {
    const event = await db.prisma.$transaction((tx) => recordEvent(tx, { source, type: `${source}.happened`, payload: {}, ...(occurredMinutesAgo ? { occurredAt: minutesAgo(occurredMinutesAgo) } : {}) }));
    if (publishedMinutesAgo !== undefined) await db.prisma.outboxEvent.update({ where: { id: event.id }, data: { publishedAt: minutesAgo(publishedMinutesAgo) } });
    return event.id;
  };
  const remaining = async () => (await db.prisma.outboxEvent.findMany({ select: { id: true } })).map((row) => row.id).sort();

  it("when delivered outbox rows are older than the window, then they are deleted, and undelivered rows never are, however old", async () => {
    const expired = [await record("orders", { publishedMinutesAgo: 20 }), await record("orders", { publishedMinutesAgo: 11 })];
    const recent = await record("orders", { publishedMinutesAgo: 5 });
    const undelivered = await record("orders", { occurredMinutesAgo: 60 * 24 * 30 });
    const retention = new EventsRetention({ db: db.prisma, sources: ["orders"], outboxWindowMs: 10 * MINUTE, log: quiet });
    expect(await retention.sweep()).toEqual({ outboxDeleted: expired.length, inboxDeleted: 0 });
    expect(await remaining()).toEqual([recent, undelivered].sort());
  });

  it("when many rows expired, then they are deleted in batches of the configured size, all in one sweep", async () => {
    for (let n = 0; n < 12; n += 1) await record("orders", { publishedMinutesAgo: 30 });
    const statements: number[] = [];
    const counting = {
      $executeRaw: ((...args: Parameters<typeof db.prisma.$executeRaw>) =>
        db.prisma.$executeRaw(...args).then((count) => (statements.push(count), count))) as typeof db.prisma.$executeRaw,
    };
    const retention = new EventsRetention({ db: counting, sources: ["orders"], outboxWindowMs: MINUTE, batchSize: 5, log: quiet });
    expect((await retention.sweep()).outboxDeleted).toBe(12);
    expect(statements).toEqual([5, 5, 2]);
    expect(await remaining()).toEqual([]);
  });

  it("when a process sweeps its own sources, then another domain's expired rows stay for that domain's sweep", async () => {
    await record("orders", { publishedMinutesAgo: 30 });
    const billing = await record("billing", { publishedMinutesAgo: 30 });
    await new EventsRetention({ db: db.prisma, sources: ["orders"], outboxWindowMs: MINUTE, log: quiet }).sweep();
    expect(await remaining()).toEqual([billing]);
  });

  it("when inbox rows expired, then they are deleted, and an event redelivered inside the window is still skipped", async () => {
    const old = createEvent({ source: "orders", type: "orders.created", payload: {} });
    const recent = createEvent({ source: "orders", type: "orders.created", payload: {} });
    let effects = 0;
    const handle = (event: { id: string }) => handleOnce(db.prisma, "billing", event, async () => void (effects += 1));
    expect(await handle(old)).toBe(true);
    expect(await handle(recent)).toBe(true);
    await db.prisma.processedEvent.update({ where: { consumer_eventId: { consumer: "billing", eventId: old.id } }, data: { handledAt: minutesAgo(30) } });
    // Another consumer's old row: its own process sweeps it.
    await handleOnce(db.prisma, "inventory", old, async () => undefined);
    await db.prisma.processedEvent.update({ where: { consumer_eventId: { consumer: "inventory", eventId: old.id } }, data: { handledAt: minutesAgo(30) } });

    const retention = new EventsRetention({ db: db.prisma, consumers: ["billing"], inboxWindowMs: 10 * MINUTE, log: quiet });
    expect(await retention.sweep()).toEqual({ outboxDeleted: 0, inboxDeleted: 1 });
    const left = await db.prisma.processedEvent.findMany({ select: { consumer: true, eventId: true }, orderBy: { consumer: "asc" } });
    expect(left).toEqual([
      { consumer: "billing", eventId: recent.id },
      { consumer: "inventory", eventId: old.id },
    ]);

    // Redelivered inside the window (JetStream after an ack was lost, a relay that republished): skipped.
    expect(await handle(recent)).toBe(false);
    expect(effects).toBe(2);
  });

  it("when started, then it sweeps at once and then periodically, and stops cleanly", async () => {
    await record("orders", { publishedMinutesAgo: 30 });
    const retention = new EventsRetention({ db: db.prisma, sources: ["orders"], consumers: ["billing"], outboxWindowMs: MINUTE, intervalMs: 50, log: quiet });
    retention.start();
    try {
      await expect.poll(() => retention.totals.outboxDeleted, { timeout: 5_000 }).toBe(1);
      await record("orders", { publishedMinutesAgo: 30 });
      await expect.poll(() => retention.totals.outboxDeleted, { timeout: 5_000 }).toBe(2);
    } finally {
      await retention.stop();
    }
    expect(await remaining()).toEqual([]);
  });

  it("when a setting is not a positive number, then it refuses to start", () => {
    expect(() => new EventsRetention({ db: db.prisma, sources: ["orders"], batchSize: 0 })).toThrow(/batchSize must be a positive number/);
    expect(() => new EventsRetention({ db: db.prisma, sources: ["orders"], inboxWindowMs: Number.NaN })).toThrow(/inboxWindowMs/);
  });
});
