import { randomUUID } from "node:crypto";
import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { createEvent, RecordingTransport } from "@monograph/events";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createNotificationsDomain,
  deliveryMetrics,
  SmtpNotifier,
  TemplateRecipientDirectory,
  type NotificationDeliveryOptions,
  type Notifier,
  type OutgoingNotification,
} from "./index.ts";
import { startLoopbackSmtpServer, type LoopbackSmtpServer } from "./smtp.test-support.ts";

const orderCreated = (customerId: string, orderId = randomUUID()) =>
  createEvent({
    source: "orders",
    type: "orders.created",
    payload: { orderId, customerId, totalCents: 2500, currency: "USD", placedAt: new Date().toISOString(), items: [] },
  });

/** Fails the first `failures` sends, then records every send. */
class ScriptedNotifier implements Notifier {
  readonly channel = "scripted";
  readonly sent: OutgoingNotification[] = [];
  failures = 0;
  async send(notification: OutgoingNotification): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error("the channel is away");
    }
    this.sent.push(notification);
  }
}

const failuresCounted = async (channel: string) => (await deliveryMetrics.failed.get()).values.find((value) => value.labels.channel === channel)?.value ?? 0;

/**
 * Delivery after commit. A retry pass looks at every undelivered notification of its database, so the table is
 * emptied after each test (one database for the file: opening one costs seconds).
 */
describe("delivering notifications", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  const deliveries: { stop(): Promise<void> }[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
  });
  afterEach(async () => {
    for (const delivery of deliveries.splice(0)) await delivery.stop();
    await db.prisma.notification.deleteMany();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /** The domain with `notifier`, subscribed to a transport the test drives. */
  const start = async (notifier: Notifier | null, options: Omit<NotificationDeliveryOptions, "repository" | "notifier"> = {}) => {
    const domain = createNotificationsDomain({ db: db.prisma, notifier, ...options });
    const transport = new RecordingTransport();
    await domain.subscribe(transport);
    deliveries.push(domain.delivery);
    return { db, domain, transport };
  };

  it("when the notifier fails, then the notification is kept, the failure is logged and counted, and the next retry pass delivers it", async () => {
    const notifier = new ScriptedNotifier();
    const log = vi.fn();
    const { db, domain, transport } = await start(notifier, { leaseMs: 0, log });
    const failuresBefore = await failuresCounted("scripted");
    const customerId = randomUUID();

    notifier.failures = 1;
    await transport.deliver(orderCreated(customerId));
    await domain.delivery.idle();
    const row = await db.prisma.notification.findFirstOrThrow({ where: { customerId } });
    expect(row).toMatchObject({ deliveredAt: null, deliveryAttempts: 1 });
    expect(log).toHaveBeenCalledWith(expect.stringContaining("will be retried"), expect.any(Error));
    expect(await failuresCounted("scripted")).toBe(failuresBefore + 1);

    expect(await domain.delivery.retryPending()).toBe(1);
    expect(notifier.sent.map((sent) => sent.id)).toEqual([row.id]);
    expect(await db.prisma.notification.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ deliveredAt: expect.any(Date), deliveryAttempts: 2 });
    // Delivered is final: later passes leave it alone.
    expect(await domain.delivery.retryPending()).toBe(0);
    expect(notifier.sent).toHaveLength(1);
  });

  it("when a notification never gets through, then it is given up after maxAttempts and stays in the database", async () => {
    const notifier = new ScriptedNotifier();
    const log = vi.fn();
    const { db, domain, transport } = await start(notifier, { leaseMs: 0, maxAttempts: 3, log });
    const customerId = randomUUID();
    notifier.failures = 100;
    await transport.deliver(orderCreated(customerId));
    await domain.delivery.idle();
    for (let pass = 0; pass < 4; pass += 1) await domain.delivery.retryPending();
    expect(await db.prisma.notification.findFirstOrThrow({ where: { customerId } })).toMatchObject({ deliveredAt: null, deliveryAttempts: 3 });
    expect(log).toHaveBeenCalledWith(expect.stringContaining("giving up"), expect.any(Error));
    expect(notifier.failures).toBe(97);
  });

  it("when an attempt started within the lease (here or in another process), then no other attempt starts until the lease has run out", async () => {
    const notifier = new ScriptedNotifier();
    const { db, domain, transport } = await start(notifier, { leaseMs: 60_000, log: () => undefined });
    // A second process on the same database, with its own delivery.
    const other = createNotificationsDomain({ db: db.prisma, notifier, leaseMs: 60_000, log: () => undefined });
    notifier.failures = 1;
    await transport.deliver(orderCreated(randomUUID()));
    await domain.delivery.idle();
    expect(await domain.delivery.retryPending()).toBe(0);
    expect(await other.delivery.retryPending()).toBe(0);
    expect(notifier.sent).toEqual([]);
    expect(await other.delivery.retryPending(new Date(Date.now() + 61_000))).toBe(1);
    expect(notifier.sent).toHaveLength(1);
  });

  it("when notifications are kept in-app only (no notifier), then they are stored and nothing is attempted", async () => {
    const { db, domain, transport } = await start(null);
    const customerId = randomUUID();
    await transport.deliver(orderCreated(customerId));
    domain.delivery.start();
    expect(await domain.delivery.retryPending()).toBe(0);
    expect(await db.prisma.notification.findFirstOrThrow({ where: { customerId } })).toMatchObject({ deliveredAt: null, deliveryAttempts: 0 });
  });

  it("when started, then the retry pass runs by itself and delivers what failed before", async () => {
    const notifier = new ScriptedNotifier();
    const { db, domain, transport } = await start(notifier, { leaseMs: 0, retryEveryMs: 50, log: () => undefined });
    const customerId = randomUUID();
    notifier.failures = 1;
    await transport.deliver(orderCreated(customerId));
    await domain.delivery.idle();
    domain.delivery.start();
    await vi.waitFor(async () => expect((await db.prisma.notification.findFirstOrThrow({ where: { customerId } })).deliveredAt).not.toBeNull(), { timeout: 30_000, interval: 50 });
    expect(notifier.sent).toHaveLength(1);
  });

  it("when many notifications are made at once, then at most `concurrency` are delivered at a time, and those beyond the queue are left to the retry pass", async () => {
    let running = 0;
    let most = 0;
    const sent: string[] = [];
    // Every send waits for the gate: nothing is delivered until all ten are made, whatever the machine's speed.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow: Notifier = {
      channel: "slow",
      async send(notification) {
        running += 1;
        most = Math.max(most, running);
        await gate;
        running -= 1;
        sent.push(notification.id);
      },
    };
    const { db, domain, transport } = await start(slow, { concurrency: 2, maxQueued: 6, log: () => undefined });
    const customerId = randomUUID();
    for (let i = 0; i < 10; i += 1) await transport.deliver(orderCreated(customerId));
    open();
    await domain.delivery.idle();
    // Two sending, six queued, two left for the retry pass.
    expect(most).toBe(2);
    expect(sent).toHaveLength(8);
    expect(await db.prisma.notification.findMany({ where: { customerId, deliveredAt: null }, select: { deliveryAttempts: true } })).toEqual([{ deliveryAttempts: 0 }, { deliveryAttempts: 0 }]);
    expect(await domain.delivery.retryPending()).toBe(2);
    expect(await db.prisma.notification.count({ where: { customerId, deliveredAt: null } })).toBe(0);
    expect(new Set(sent).size).toBe(10);
  });

  describe("by email, through a real SMTP server on loopback", () => {
    let smtp: LoopbackSmtpServer;
    beforeAll(async () => {
      smtp = await startLoopbackSmtpServer();
    });
    afterAll(async () => {
      await smtp?.close();
    });

    it("when an order is placed, then its customer's email arrives at the SMTP server, addressed through the recipient directory", async () => {
      smtp.received.length = 0;
      const notifier = new SmtpNotifier({ url: smtp.url, from: "Monograph <notifications@monograph.test>", directory: new TemplateRecipientDirectory("{customerId}@customers.invalid") });
      const { db, domain, transport } = await start(notifier);
      const customerId = randomUUID();
      const orderId = randomUUID();
      await transport.deliver(orderCreated(customerId, orderId));
      const [received] = await smtp.waitFor(1);
      await domain.delivery.idle();
      await notifier.close();

      const row = await db.prisma.notification.findFirstOrThrow({ where: { customerId } });
      expect(received!.envelope).toEqual({ from: "notifications@monograph.test", to: [`${customerId}@customers.invalid`] });
      expect(received!.mail.subject).toBe("Order placed");
      expect(received!.mail.text?.trim()).toBe(`Your order #${orderId.slice(0, 8)} has been placed: USD 25.00.`);
      expect(received!.mail.messageId).toBe(`<${row.id}@notifications.monograph>`);
      expect(received!.mail.headers.get("x-monograph-notification-kind")).toBe("ORDER_PLACED");
      expect(row.deliveredAt).toBeInstanceOf(Date);
    });

    it("when the SMTP server refuses the recipient, then the notification is kept undelivered, and delivered by a retry once the server accepts", async () => {
      smtp.received.length = 0;
      const notifier = new SmtpNotifier({ url: smtp.url, from: "notifications@monograph.test", directory: new TemplateRecipientDirectory("support+{customerId}@monograph.test") });
      const { db, domain, transport } = await start(notifier, { leaseMs: 0, log: () => undefined });
      const failuresBefore = await failuresCounted("smtp");
      const customerId = randomUUID();
      smtp.refuseRecipients = true;
      try {
        await transport.deliver(orderCreated(customerId));
        await domain.delivery.idle();
      } finally {
        smtp.refuseRecipients = false;
      }
      expect(await db.prisma.notification.findFirstOrThrow({ where: { customerId } })).toMatchObject({ deliveredAt: null, deliveryAttempts: 1 });
      expect(smtp.received).toEqual([]);
      expect(await failuresCounted("smtp")).toBe(failuresBefore + 1);

      expect(await domain.delivery.retryPending()).toBe(1);
      const [received] = await smtp.waitFor(1);
      await notifier.close();
      expect(received!.envelope.to).toEqual([`support+${customerId}@monograph.test`]);
      expect((await db.prisma.notification.findFirstOrThrow({ where: { customerId } })).deliveredAt).toBeInstanceOf(Date);
    });
  });
});
