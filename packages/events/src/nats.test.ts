import { randomBytes } from "node:crypto";
import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvent, handleOnce, NatsJetStreamTransport, OutboxRelay, recordEvent, type IntegrationEvent } from "./index.ts";

// The real NATS JetStream on this machine; every run gets its own stream, subjects and consumers, deleted after.
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const quiet = () => undefined;

describe("NATS JetStream transport", () => {
  const prefix = `test_${randomBytes(5).toString("hex")}`;
  const transports: NatsJetStreamTransport[] = [];
  const open = async () => {
    const transport = await NatsJetStreamTransport.connect({ servers: NATS_URL, prefix, retryBaseMs: 50, retryMaxMs: 200, log: quiet });
    transports.push(transport);
    return transport;
  };
  let database: TestDatabase;
  let db: DatabaseHandle;
  const storedMessages = async () => {
    const nc = await connect({ servers: NATS_URL });
    try {
      return (await (await jetstreamManager(nc)).streams.info(`${prefix}_MONOGRAPH_EVENTS`)).state.messages;
    } finally {
      await nc.close();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
  });
  afterAll(async () => {
    await Promise.all(transports.map((transport) => transport.close()));
    await NatsJetStreamTransport.deleteStream({ servers: NATS_URL, prefix });
    await db?.close();
    await database?.drop();
  });

  it("when an event is published, then a durable subscriber receives the same typed value", async () => {
    const transport = await open();
    const received: IntegrationEvent[] = [];
    await transport.subscribe("roundtrip", ["orders.created"], async (event) => void received.push(event));
    const event = createEvent({ source: "orders", type: "orders.created", payload: { orderId: "o-1", totalCents: 1999 } });
    await transport.publish(event);
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    expect(received[0]).toEqual(event);
  });

  it("when a handler fails, then the message is nak'ed and redelivered until it succeeds", async () => {
    const transport = await open();
    const deliveries: string[] = [];
    await transport.subscribe("flaky", ["orders.cancelled"], async (event) => {
      deliveries.push(event.id);
      if (deliveries.length < 3) throw new Error("transient");
    });
    const event = createEvent({ source: "orders", type: "orders.cancelled", payload: {} });
    await transport.publish(event);
    await expect.poll(() => deliveries.length, { timeout: 10_000 }).toBe(3);
    expect(new Set(deliveries)).toEqual(new Set([event.id]));
    // Acked on the third delivery: no fourth one comes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveries).toHaveLength(3);
  });

  it("when the subscriber was away, then its durable consumer resumes with what it missed, and nothing it had acked", async () => {
    const first = await open();
    const before: string[] = [];
    await first.subscribe("durable", ["invoices.paid"], async (event) => void before.push(event.id));
    const acked = createEvent({ source: "billing", type: "invoices.paid", payload: {} });
    await first.publish(acked);
    await expect.poll(() => before, { timeout: 10_000 }).toEqual([acked.id]);
    await first.close();

    const publisher = await open();
    const missed = createEvent({ source: "billing", type: "invoices.paid", payload: {} });
    await publisher.publish(missed);

    const second = await open();
    const after: string[] = [];
    await second.subscribe("durable", ["invoices.paid"], async (event) => void after.push(event.id));
    await expect.poll(() => after, { timeout: 10_000 }).toEqual([missed.id]);
  });

  it("when the relay publishes a row twice, then JetStream stores it once and the effect happens once", async () => {
    const transport = await open();
    const effects: string[] = [];
    await transport.subscribe("billing", ["orders.created"], async (event) => {
      await handleOnce(db.prisma, "billing", event, async () => void effects.push(event.id));
    });
    const event = await db.prisma.$transaction((tx) => recordEvent(tx, { source: "orders", type: "orders.created", payload: { n: 1 } }));
    const relay = new OutboxRelay({ db: db.prisma, transport, sources: ["orders"], log: quiet });
    expect(await relay.flush()).toEqual({ published: 1, failed: 0 });
    const stored = await storedMessages();
    // As if the stamp had been lost: a second relay publishes the same row again.
    await db.prisma.outboxEvent.update({ where: { id: event.id }, data: { publishedAt: null } });
    expect(await new OutboxRelay({ db: db.prisma, transport, sources: ["orders"], log: quiet }).flush()).toEqual({ published: 1, failed: 0 });
    expect(await storedMessages()).toBe(stored);
    await expect.poll(async () => db.prisma.processedEvent.count({ where: { consumer: "billing", eventId: event.id } }), { timeout: 10_000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // (The stream also holds the first test's orders.created: a new durable consumer gets every retained event.)
    expect(effects.filter((id) => id === event.id)).toHaveLength(1);
  });

  it("when stream and consumer names are derived, then they carry the prefix and no characters NATS refuses", async () => {
    const transport = await open();
    expect(transport.streamName).toBe(`${prefix}_MONOGRAPH_EVENTS`);
    expect(transport.subjectFor("orders.created")).toBe(`${prefix}.events.orders.created`);
    expect(transport.durableName("billing", "orders.created")).toBe(`${prefix}_billing_orders-created`);
  });

  it("when an environment's stream is deleted, then its events are gone, and deleting it again is no error", async () => {
    const scratch = `${prefix}_scratch`;
    const transport = await NatsJetStreamTransport.connect({ servers: NATS_URL, prefix: scratch, log: quiet });
    await transport.publish(createEvent({ source: "orders", type: "orders.created", payload: {} }));
    await transport.close();
    await NatsJetStreamTransport.deleteStream({ servers: NATS_URL, prefix: scratch });
    const nc = await connect({ servers: NATS_URL });
    try {
      await expect((await jetstreamManager(nc)).streams.info(`${scratch}_MONOGRAPH_EVENTS`)).rejects.toThrow(/stream not found/i);
    } finally {
      await nc.close();
    }
    await expect(NatsJetStreamTransport.deleteStream({ servers: NATS_URL, prefix: scratch })).resolves.toBeUndefined();
  });

  it("when a handler takes longer than the ack wait, then its in-progress heartbeats keep the message from being redelivered", async () => {
    const transport = await NatsJetStreamTransport.connect({ servers: NATS_URL, prefix, ackWaitMs: 1_000, log: quiet });
    transports.push(transport);
    const deliveries: number[] = [];
    let finished = false;
    await transport.subscribe("slow", ["orders.slow"], async () => {
      deliveries.push(Date.now());
      // Three ack waits long: without the heartbeats JetStream would hand it out again after one.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      finished = true;
    });
    await transport.publish(createEvent({ source: "orders", type: "orders.slow", payload: {} }));
    await expect.poll(() => finished, { timeout: 15_000 }).toBe(true);
    // One more ack wait: nothing was queued for redelivery meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(deliveries).toHaveLength(1);
  });

  it("when the connection is gone, then publishMany refuses the whole batch at once instead of waiting out a timeout per event", async () => {
    const transport = await open();
    await (transport as unknown as { nc: { close(): Promise<void> } }).nc.close();
    const events = [1, 2, 3].map(() => createEvent({ source: "orders", type: "orders.created", payload: {} }));
    const started = Date.now();
    const results = await transport.publishMany(events);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(results.map((result) => result?.message)).toEqual(["NATS is not connected", "NATS is not connected", "NATS is not connected"]);
    transports.splice(transports.indexOf(transport), 1);
  });
  it("when two replicas of a domain register the same consumer, then they share one durable consumer: each event is handled once overall, by both replicas", async () => {
    // Two processes of billing, say: each connects on its own and subscribes under the domain's consumer name.
    const replicas = [await open(), await open()];
    const handled = new Map<string, number>();
    const byReplica = [0, 0];
    for (const [index, replica] of replicas.entries()) {
      await replica.subscribe("shared", ["orders.paid"], async (event) => {
        // A handler that takes a moment, as one that writes to a database does.
        await new Promise((resolve) => setTimeout(resolve, 5));
        handled.set(event.id, (handled.get(event.id) ?? 0) + 1);
        byReplica[index]! += 1;
      });
    }
    expect(replicas[0]!.durableName("shared", "orders.paid")).toBe(replicas[1]!.durableName("shared", "orders.paid"));
    const events = Array.from({ length: 200 }, (_, n) => createEvent({ source: "orders", type: "orders.paid", payload: { n } }));
    const results = await replicas[0]!.publishMany(events);
    expect(results.filter(Boolean)).toEqual([]);
    await expect.poll(() => handled.size, { timeout: 30_000 }).toBe(events.length);
    // No event reaches both (a second delivery would come only after an ack was lost).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([...handled.values()].filter((times) => times !== 1)).toEqual([]);
    expect(byReplica[0]! + byReplica[1]!).toBe(events.length);
    expect(byReplica[0]).toBeGreaterThan(0);
    expect(byReplica[1]).toBeGreaterThan(0);
  });
});
