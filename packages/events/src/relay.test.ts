import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DeliveryFailedError, handleOnce, InProcessTransport, OutboxRelay, recordEvent, type IntegrationEvent } from "./index.ts";

const quiet = () => undefined;

describe("outbox relay", () => {
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

  const record = (source: string, type: string, payload: object = {}) => db.prisma.$transaction((tx) => recordEvent(tx, { source, type, payload }));

  it("when notified after a commit, then it delivers at once, without waiting for a poll", async () => {
    const transport = new InProcessTransport({ log: quiet });
    const seen: IntegrationEvent[] = [];
    await transport.subscribe("test", ["orders.created"], async (event) => void seen.push(event));
    const relay = new OutboxRelay({ db: db.prisma, transport, sources: ["orders"], pollIntervalMs: 3_600_000, log: quiet });
    relay.start();
    try {
      const event = await record("orders", "orders.created", { orderId: "o-1" });
      relay.notify();
      await expect.poll(() => seen.length, { timeout: 5_000 }).toBe(1);
      expect(seen[0]).toEqual({ ...event, occurredAt: event.occurredAt });
      await expect.poll(async () => (await db.prisma.outboxEvent.findUniqueOrThrow({ where: { id: event.id } })).publishedAt, { timeout: 5_000 }).not.toBeNull();
    } finally {
      await relay.stop();
    }
  });

  it("when nobody notifies it, then the poll still delivers the event", async () => {
    const transport = new InProcessTransport({ log: quiet });
    const seen: string[] = [];
    await transport.subscribe("test", ["orders.created"], async (event) => void seen.push(event.id));
    const relay = new OutboxRelay({ db: db.prisma, transport, sources: ["orders"], pollIntervalMs: 50, log: quiet });
    relay.start();
    try {
      const event = await record("orders", "orders.created");
      await expect.poll(() => seen, { timeout: 5_000 }).toEqual([event.id]);
    } finally {
      await relay.stop();
    }
  });

  it("when a relay is configured with some sources, then it leaves the other sources' rows to their own relays", async () => {
    const transport = new InProcessTransport({ log: quiet });
    const seen: string[] = [];
    await transport.subscribe("test", ["orders.created", "invoices.paid"], async (event) => void seen.push(event.type));
    const ours = await record("orders", "orders.created");
    const theirs = await record("billing", "invoices.paid");
    const relay = new OutboxRelay({ db: db.prisma, transport, sources: ["orders"], log: quiet });
    expect(await relay.flush()).toEqual({ published: 1, failed: 0 });
    expect(seen).toEqual(["orders.created"]);
    expect((await db.prisma.outboxEvent.findUniqueOrThrow({ where: { id: ours.id } })).publishedAt).not.toBeNull();
    expect((await db.prisma.outboxEvent.findUniqueOrThrow({ where: { id: theirs.id } })).publishedAt).toBeNull();
  });

  it("when events are pending, then they are delivered oldest first", async () => {
    const transport = new InProcessTransport({ log: quiet });
    const seen: number[] = [];
    await transport.subscribe("test", ["orders.created"], async (event) => void seen.push((event.payload as { n: number }).n));
    for (const n of [1, 2, 3, 4, 5]) await record("orders", "orders.created", { n });
    const relay = new OutboxRelay({ db: db.prisma, transport, sources: ["orders"], batchSize: 2, log: quiet });
    expect(await relay.flush()).toEqual({ published: 5, failed: 0 });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it("when a handler keeps failing, then the row stays unpublished, and a later flush delivers it once the handler recovers", async () => {
    const transport = new InProcessTransport({ attempts: 2, retryBaseMs: 1, log: quiet });
    let healthy = false;
    let effects = 0;
    await transport.subscribe("flaky", ["orders.created"], async (event) => {
      if (!healthy) throw new Error("database is down");
      await handleOnce(db.prisma, "flaky", event, async () => void (effects += 1));
    });
    const event = await record("orders", "orders.created");
    const relay = new OutboxRelay({ db: db.prisma, transport, sources: ["orders"], log: quiet });
    expect(await relay.flush()).toEqual({ published: 0, failed: 1 });
    const row = await db.prisma.outboxEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(row).toMatchObject({ publishedAt: null, attempts: 1 });

    healthy = true;
    expect(await relay.flush()).toEqual({ published: 1, failed: 0 });
    expect(effects).toBe(1);
  });

  it("when one subscriber fails and another succeeds, then the retry reaches only the one that failed (the other's inbox skips it)", async () => {
    const transport = new InProcessTransport({ attempts: 1, log: quiet });
    let billingFails = true;
    const effects = { billing: 0, inventory: 0 };
    await transport.subscribe("billing", ["orders.cancelled"], async (event) => {
      await handleOnce(db.prisma, "billing", event, async () => {
        if (billingFails) throw new Error("not yet");
        effects.billing += 1;
      });
    });
    await transport.subscribe("inventory", ["orders.cancelled"], async (event) => {
      await handleOnce(db.prisma, "inventory", event, async () => void (effects.inventory += 1));
    });
    await record("orders", "orders.cancelled");
    const relay = new OutboxRelay({ db: db.prisma, transport, sources: ["orders"], log: quiet });
    expect(await relay.flush()).toEqual({ published: 0, failed: 1 });
    billingFails = false;
    expect(await relay.flush()).toEqual({ published: 1, failed: 0 });
    expect(effects).toEqual({ billing: 1, inventory: 1 });
  });

  it("when publishing fails, then the relay backs off that row instead of retrying it on every wake-up", async () => {
    let publishes = 0;
    const failing = {
      publish: async () => {
        publishes += 1;
        throw new Error("transport down");
      },
    };
    const relay = new OutboxRelay({ db: db.prisma, transport: failing, sources: ["orders"], pollIntervalMs: 10, retryBaseMs: 60_000, log: quiet });
    await record("orders", "orders.created");
    relay.start();
    try {
      await expect.poll(() => publishes, { timeout: 5_000 }).toBe(1);
      for (let i = 0; i < 10; i += 1) relay.notify();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(publishes).toBe(1);
    } finally {
      await relay.stop();
    }
    // flush ignores the backoff: it is how a test (or a shutdown) says "now".
    expect((await relay.flush()).failed).toBe(1);
    expect(publishes).toBe(2);
  });

  it("when the in-process transport is closed, then publishing is refused, so the relay keeps the row", async () => {
    const transport = new InProcessTransport({ log: quiet });
    await transport.close();
    await expect(transport.publish({ id: "x", type: "a.b", source: "a", occurredAt: new Date(), payload: {} })).rejects.toThrow(/closed/);
  });

  it("when a handler fails twice and then succeeds, then the in-process transport retries it with backoff and publish succeeds", async () => {
    const transport = new InProcessTransport({ attempts: 3, retryBaseMs: 5, log: quiet });
    const attemptsAt: number[] = [];
    await transport.subscribe("flaky", ["orders.created"], async () => {
      attemptsAt.push(Date.now());
      if (attemptsAt.length < 3) throw new Error("transient");
    });
    await transport.publish({ id: "e-1", type: "orders.created", source: "orders", occurredAt: new Date(), payload: {} });
    expect(attemptsAt).toHaveLength(3);
    // 5 ms, then 10 ms: the delays grow.
    expect(attemptsAt[2]! - attemptsAt[0]!).toBeGreaterThanOrEqual(14);
  });

  it("when a handler fails on every attempt, then publish rejects naming the consumer", async () => {
    const transport = new InProcessTransport({ attempts: 2, retryBaseMs: 1, log: quiet });
    await transport.subscribe("broken", ["orders.created"], async () => Promise.reject(new Error("always")));
    await transport.subscribe("fine", ["orders.created"], async () => undefined);
    const error = await transport.publish({ id: "e-2", type: "orders.created", source: "orders", occurredAt: new Date(), payload: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect((error as DeliveryFailedError).failedConsumers).toEqual(["broken"]);
  });

  describe("with a batch transport (publishMany, as NATS JetStream)", () => {
    /** A transport that takes whole batches, and can be "away": then it accepts nothing, as NATS while it is down. */
    function batchTransport() {
      const calls: string[][] = [];
      const transport = {
        away: false,
        calls,
        published: [] as string[],
        publish: async () => Promise.reject(new Error("use publishMany")),
        publishMany: async (events: readonly IntegrationEvent[]) => {
          calls.push(events.map((event) => event.id));
          if (transport.away) return events.map(() => new Error("NATS is not connected"));
          transport.published.push(...events.map((event) => event.id));
          return events.map(() => null);
        },
      };
      return transport;
    }

    it("when rows are pending, then a batch goes out in one call and is stamped at once", async () => {
      const transport = batchTransport();
      for (const n of [1, 2, 3, 4, 5]) await record("orders", "orders.created", { n });
      const relay = new OutboxRelay({ db: db.prisma, transport, sources: ["orders"], batchSize: 3, log: quiet });
      expect(await relay.flush()).toEqual({ published: 5, failed: 0 });
      expect(transport.calls.map((batch) => batch.length)).toEqual([3, 2]);
      expect(await db.prisma.outboxEvent.count({ where: { publishedAt: null } })).toBe(0);
    });

    it("when the transport is away, then the relay pauses as a whole (one try per pause, not one per row), and sends everything in one batch when it is back", async () => {
      const transport = batchTransport();
      transport.away = true;
      for (const n of [1, 2, 3, 4]) await record("orders", "orders.created", { n });
      const logged: string[] = [];
      const relay = new OutboxRelay({ db: db.prisma, transport, sources: ["orders"], pollIntervalMs: 20, pauseBaseMs: 200, pauseMaxMs: 400, log: (message) => logged.push(message) });
      relay.start();
      try {
        await expect.poll(() => transport.calls.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
        expect(relay.paused).toBe(true);
        // Many wake-ups during the pause try nothing: polls every 20 ms, yet at most a few tries in 300 ms.
        for (let i = 0; i < 20; i += 1) relay.notify();
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(transport.calls.length).toBeLessThanOrEqual(3);
        // Every try was the whole batch, oldest first, at once.
        for (const batch of transport.calls) expect(batch).toHaveLength(4);

        transport.away = false;
        await expect.poll(() => transport.published.length, { timeout: 5_000 }).toBe(4);
        expect(relay.paused).toBe(false);
        await expect.poll(() => db.prisma.outboxEvent.count({ where: { publishedAt: null } }), { timeout: 5_000 }).toBe(0);
      } finally {
        await relay.stop();
      }
      // Logged once when it went away (and once when it came back), not once per row and try.
      expect(logged.filter((message) => message.includes("seems away"))).toHaveLength(1);
      expect(relay.totals).toMatchObject({ published: 4 });
      expect(relay.totals.pauses).toBeGreaterThanOrEqual(1);
    });
  });
});
