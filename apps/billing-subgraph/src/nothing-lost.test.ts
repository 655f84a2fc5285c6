import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { InProcessTransport, OutboxRelay, recordEvent, type EventPublisher, type IntegrationEvent } from "@monograph/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerBillingSubscriptions } from "./index.ts";

const quiet = () => undefined;

/**
 * The guarantee of docs/adr/0004: an event committed with its change reaches billing exactly once in effect, even
 * when the process dies between the commit and the delivery, or between the delivery and the relay's stamp.
 * Each "process" here is a database connection, a transport, billing's subscriptions and a relay; a restart
 * closes all of them and opens new ones on the same database (a folder, for PGlite).
 */
describe("nothing is lost between orders and billing", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ inMemory: false });
  });
  afterAll(async () => {
    await database?.drop();
  });

  const startProcess = async (wrap: (transport: InProcessTransport) => EventPublisher = (transport) => transport) => {
    const db = await database.open();
    const transport = new InProcessTransport({ attempts: 1, log: quiet });
    await registerBillingSubscriptions(transport, { db: db.prisma, log: quiet });
    const relay = new OutboxRelay({ db: db.prisma, transport: wrap(transport), sources: ["orders"], log: quiet });
    return {
      db,
      relay,
      stop: async () => {
        await relay.stop();
        await transport.close();
        await db.close();
      },
    };
  };

  /** Stands in for orders' transaction: its change (here just the event) committed, then the process dies. */
  const placeOrder = async (db: Awaited<ReturnType<typeof startProcess>>["db"]) => {
    const orderId = randomUUID();
    const event = await db.prisma.$transaction((tx) =>
      recordEvent(tx, {
        source: "orders",
        type: "orders.created",
        payload: { orderId, customerId: randomUUID(), totalCents: 1500, currency: "USD", placedAt: new Date().toISOString(), items: [] },
      }),
    );
    return { orderId, event };
  };

  it("when the process stops after the order committed and before billing handled it, then after a restart the invoice exists exactly once; a redelivery changes nothing", async () => {
    const first = await startProcess();
    first.relay.start();
    await first.relay.stop();
    const { orderId, event } = await placeOrder(first.db);
    // The relay is stopped: the notification that would have delivered it goes nowhere. The process dies.
    first.relay.notify();
    expect(await first.db.prisma.invoice.count({ where: { orderId } })).toBe(0);
    await first.stop();

    const second = await startProcess();
    try {
      expect(await second.relay.flush()).toMatchObject({ published: 1, failed: 0 });
      const invoices = await second.db.prisma.invoice.findMany({ where: { orderId } });
      expect(invoices).toHaveLength(1);
      expect((await second.db.prisma.outboxEvent.findUniqueOrThrow({ where: { id: event.id } })).publishedAt).not.toBeNull();

      // At-least-once delivery: the same event again (another relay, a transport's redelivery).
      await second.db.prisma.outboxEvent.update({ where: { id: event.id }, data: { publishedAt: null } });
      expect(await second.relay.flush()).toMatchObject({ published: 1, failed: 0 });
      expect(await second.db.prisma.invoice.findMany({ where: { orderId } })).toEqual(invoices);
    } finally {
      await second.stop();
    }
  });

  it("when the process dies after billing handled the event but before the relay stamped it, then the restart delivers it again and the inbox skips it", async () => {
    // The relay "crashes" right after the transport delivered: publish never reports success.
    const crashing = await startProcess((transport) => ({
      publish: async (event: IntegrationEvent) => {
        await transport.publish(event);
        throw new Error("process killed before the outbox row was stamped");
      },
    }));
    const { orderId, event } = await placeOrder(crashing.db);
    expect(await crashing.relay.flush()).toMatchObject({ published: 0, failed: 1 });
    const invoices = await crashing.db.prisma.invoice.findMany({ where: { orderId } });
    expect(invoices).toHaveLength(1);
    // Stopping gives up the claim the failed row kept for its retry delay; a process that really dies holds it until
    // the lease runs out (the relay's own replica tests, packages/events/src/relay-replicas.test.ts, cover that path).
    await crashing.stop();

    const restarted = await startProcess();
    try {
      expect(await restarted.relay.flush()).toMatchObject({ published: 1, failed: 0 });
      expect(await restarted.db.prisma.invoice.findMany({ where: { orderId } })).toEqual(invoices);
      expect(await restarted.db.prisma.processedEvent.count({ where: { consumer: "billing", eventId: event.id } })).toBe(1);
    } finally {
      await restarted.stop();
    }
  });

  it("when billing's handler fails while handling the event, then nothing of it commits, and the retry opens the invoice once", async () => {
    const proc = await startProcess();
    try {
      const { orderId, event } = await placeOrder(proc.db);
      // A constraint that refuses every new invoice: billing's transaction fails after it wrote the order summary
      // and the inbox row, which must roll back with it.
      await proc.db.prisma.$executeRawUnsafe(`ALTER TABLE billing.invoices ADD CONSTRAINT nothing_lost_block CHECK (amount_cents < 0) NOT VALID`);
      try {
        expect(await proc.relay.flush()).toMatchObject({ published: 0, failed: 1 });
        expect(await proc.db.prisma.invoice.count({ where: { orderId } })).toBe(0);
        expect(await proc.db.prisma.orderSummary.count({ where: { orderId } })).toBe(0);
        expect(await proc.db.prisma.processedEvent.count({ where: { eventId: event.id } })).toBe(0);
      } finally {
        await proc.db.prisma.$executeRawUnsafe(`ALTER TABLE billing.invoices DROP CONSTRAINT nothing_lost_block`);
      }
      expect(await proc.relay.flush()).toMatchObject({ published: 1, failed: 0 });
      expect(await proc.db.prisma.invoice.count({ where: { orderId } })).toBe(1);
    } finally {
      await proc.stop();
    }
  });
});
