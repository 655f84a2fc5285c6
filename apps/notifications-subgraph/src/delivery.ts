import { childLogger } from "@monograph/platform";
import { registry } from "@monograph/telemetry";
import { Counter } from "prom-client";
import { SUBJECTS } from "./messages.ts";
import type { Notifier, OutgoingNotification } from "./notifier.ts";
import type { NotificationRecord, NotificationsRepository } from "./repository.ts";

const defaultLog = childLogger("notifications");

/** Prometheus counters of deliveries, by channel ("smtp", "file"): served with the process's other metrics. */
export const deliveryMetrics = {
  delivered: new Counter({
    name: "monograph_notifications_delivered_total",
    help: "Notifications the notifier accepted (an email the SMTP server took, a file written), by channel.",
    labelNames: ["channel"] as const,
    registers: [registry],
  }),
  failed: new Counter({
    name: "monograph_notification_delivery_failures_total",
    help: "Delivery attempts that failed (the notification is kept and retried), by channel.",
    labelNames: ["channel"] as const,
    registers: [registry],
  }),
  abandoned: new Counter({
    name: "monograph_notification_deliveries_abandoned_total",
    help: "Notifications whose last allowed delivery attempt failed (kept in the API, never delivered), by channel.",
    labelNames: ["channel"] as const,
    registers: [registry],
  }),
};

export interface NotificationDeliveryOptions {
  repository: NotificationsRepository;
  /** null: notifications are kept in-app only, nothing is delivered (and nothing is marked delivered). */
  notifier: Notifier | null;
  /** Attempts per notification before it is given up (default 5). */
  maxAttempts?: number;
  /** After an attempt started, no other may start for this long (default 60 s): the retry delay, and a lease. */
  leaseMs?: number;
  /** How often the retry pass runs once started (default 30 s). */
  retryEveryMs?: number;
  /** Notifications older than this are not retried any more (default 24 h): a late email is worse than none. */
  maxAgeMs?: number;
  /** Notifications retried per pass, at most (default 100). */
  batchSize?: number;
  /** Deliveries in progress at once, at most (default 4): a burst of orders must not open a connection per email. */
  concurrency?: number;
  /** Fresh notifications waiting for a delivery slot, at most (default 1000); beyond, the retry pass takes them. */
  maxQueued?: number;
  log?: (message: string, error?: unknown) => void;
}

/**
 * Delivers notifications through the Notifier once their rows are committed, and retries the ones that failed.
 * A delivery never loses the notification: a failure is logged, counted, and retried by the next pass while
 * attempts and age allow; the row stays either way (its `deliveredAt` stays null). Two processes on one database
 * never attempt the same notification at once (claimDelivery's lease), but a crash after the channel accepted it
 * and before `deliveredAt` is written sends it again after the lease: delivery is at least once.
 *
 * A background worker of its process (`name`, `start`, `stop`): `start` runs the retry pass periodically.
 */
export class NotificationDelivery {
  readonly name = "notifications-delivery";
  private readonly repository: NotificationsRepository;
  private readonly notifier: Notifier | null;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly retryEveryMs: number;
  private readonly maxAgeMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private readonly queue: string[] = [];
  private active = 0;
  private readonly log: (message: string, error?: unknown) => void;
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: NotificationDeliveryOptions) {
    this.repository = options.repository;
    this.notifier = options.notifier;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.retryEveryMs = options.retryEveryMs ?? 30_000;
    this.maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
    this.batchSize = options.batchSize ?? 100;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.maxQueued = options.maxQueued ?? 1000;
    this.log = options.log ?? ((message, error) => defaultLog.warn(error === undefined ? {} : { err: error }, message));
  }

  /** The channel notifications leave by, or "none". */
  get channel(): string {
    return this.notifier?.channel ?? "none";
  }

  /**
   * Starts delivering a committed notification, in the background (see `idle`), at most `concurrency` at once. When
   * more than `maxQueued` wait, the id is not queued: its row is undelivered and never attempted, so the next retry
   * pass takes it.
   */
  deliverSoon(id: string): void {
    if (!this.notifier || this.stopped || this.queue.length >= this.maxQueued) return;
    this.queue.push(id);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0 && !this.stopped) {
      const id = this.queue.shift()!;
      this.active += 1;
      void this.track(this.deliver(id)).finally(() => {
        this.active -= 1;
        this.pump();
      });
    }
  }

  /**
   * One attempt at one notification, if it may be attempted now (undelivered, attempts left, no attempt within the
   * lease). Resolves true when it was delivered by this attempt; never rejects.
   */
  async deliver(id: string, now = new Date()): Promise<boolean> {
    const notifier = this.notifier;
    if (!notifier) return false;
    let claimed: NotificationRecord | null = null;
    try {
      claimed = await this.repository.claimDelivery(id, now, { leaseMs: this.leaseMs, maxAttempts: this.maxAttempts });
      if (!claimed) return false;
      await notifier.send(toOutgoing(claimed));
    } catch (error) {
      deliveryMetrics.failed.inc({ channel: notifier.channel });
      const attempts = claimed ? `attempt ${claimed.deliveryAttempts} of ${this.maxAttempts}` : "before its attempt";
      if (claimed && claimed.deliveryAttempts >= this.maxAttempts) {
        deliveryMetrics.abandoned.inc({ channel: notifier.channel });
        this.log(`notification ${id} could not be delivered by ${notifier.channel} (${attempts}); giving up, it stays in the API only`, error);
      } else {
        this.log(`notification ${id} could not be delivered by ${notifier.channel} (${attempts}); it will be retried`, error);
      }
      return false;
    }
    deliveryMetrics.delivered.inc({ channel: notifier.channel });
    try {
      await this.repository.markDelivered(id, new Date());
    } catch (error) {
      // Sent, but not recorded: the next pass after the lease sends it again (the same Message-ID, the same file).
      this.log(`notification ${id} was delivered by ${notifier.channel} but could not be marked delivered`, error);
    }
    return true;
  }

  /** One retry pass: attempts the notifications that failed before (or whose delivery a stop or crash cut short). */
  async retryPending(now = new Date()): Promise<number> {
    if (!this.notifier) return 0;
    const ids = await this.repository.findRetryable(new Date(now.getTime() - this.maxAgeMs), now, { leaseMs: this.leaseMs, maxAttempts: this.maxAttempts, limit: this.batchSize });
    let delivered = 0;
    // One at a time: a pass is a trickle beside the live deliveries, not a burst at the mail server.
    for (const id of ids) if (!this.stopped && (await this.deliver(id, now))) delivered += 1;
    return delivered;
  }

  /** Runs the retry pass now and every `retryEveryMs` until `stop`; nothing without a notifier. */
  start(): void {
    if (!this.notifier || this.timer || this.stopped) return;
    const pass = () => {
      this.track(
        this.retryPending().catch((error: unknown) => this.log("the notification retry pass failed; the next one tries again", error)),
      ).finally(() => {
        if (!this.stopped) this.timer = setTimeout(pass, this.retryEveryMs).unref();
      });
    };
    pass();
  }

  /**
   * Stops the retry pass and waits for the deliveries in progress; queued ones are left to the next process's retry
   * pass. The notifier is its owner's to close.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    clearTimeout(this.timer);
    await this.idle();
  }

  /** Resolves once every delivery started so far has finished (tests, and `stop`). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.active > 0 || (this.queue.length > 0 && !this.stopped)) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }
}

function toOutgoing(notification: NotificationRecord): OutgoingNotification {
  return {
    id: notification.id,
    customerId: notification.customerId,
    kind: notification.kind,
    subject: SUBJECTS[notification.kind],
    message: notification.message,
    orderId: notification.orderId,
    invoiceId: notification.invoiceId,
    createdAt: notification.createdAt,
  };
}
