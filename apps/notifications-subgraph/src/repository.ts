import { newestFirst, olderThan, type DomainDb, type DomainTx, type Notification, type NotificationKind, type TimeKeyset } from "@monograph/db";

/**
 * The notifications domain sees its own table, plus the inbox inside its transactions (where it records the events
 * it handled): its handle and its transactions are typed to them (docs/adr/0016), so touching another domain's
 * model does not compile.
 */
export type NotificationsDb = DomainDb<"notification", "processedEvent">;
/** Inside one of notifications' transactions: its table and the inbox. */
export type NotificationsTx = DomainTx<"notification" | "processedEvent">;

export type NotificationRecord = Notification;
export type { NotificationKind };

/** A notification as an event handler makes it. */
export interface NewNotification {
  customerId: string;
  kind: NotificationKind;
  message: string;
  orderId: string;
  invoiceId: string | null;
  eventId: string;
}

export interface NotificationFilter {
  unreadOnly: boolean;
}

export class NotificationsRepository {
  constructor(private readonly db: NotificationsDb) {}

  insert(tx: NotificationsTx, notification: NewNotification): Promise<NotificationRecord> {
    return tx.notification.create({ data: notification });
  }

  findByIds(ids: readonly string[]): Promise<NotificationRecord[]> {
    return this.db.notification.findMany({ where: { id: { in: [...ids] } } });
  }

  /** Newest first; keyset pagination on (createdAt, id). */
  listPage(customerId: string, filter: NotificationFilter, after: TimeKeyset | null, take: number): Promise<NotificationRecord[]> {
    return this.db.notification.findMany({
      where: { customerId, ...(filter.unreadOnly ? { readAt: null } : {}), ...olderThan("createdAt", after) },
      orderBy: newestFirst("createdAt"),
      take,
    });
  }

  count(customerId: string, filter: NotificationFilter): Promise<number> {
    return this.db.notification.count({ where: { customerId, ...(filter.unreadOnly ? { readAt: null } : {}) } });
  }

  /**
   * Marks the customer's notification read, once: a second call keeps the first time. Null when there is no such
   * notification of theirs (someone else's reads the same as an unknown one).
   */
  async markRead(customerId: string, id: string, readAt: Date): Promise<NotificationRecord | null> {
    await this.db.notification.updateMany({ where: { id, customerId, readAt: null }, data: { readAt } });
    return this.db.notification.findFirst({ where: { id, customerId } });
  }

  /**
   * Takes the right to attempt one delivery: only when it is not delivered, has attempts left, and no other attempt
   * started within `leaseMs` (another process, or an attempt still running). Returns the row when taken.
   */
  async claimDelivery(id: string, now: Date, { leaseMs, maxAttempts }: { leaseMs: number; maxAttempts: number }): Promise<NotificationRecord | null> {
    const { count } = await this.db.notification.updateMany({
      where: {
        id,
        deliveredAt: null,
        deliveryAttempts: { lt: maxAttempts },
        OR: [{ lastAttemptAt: null }, { lastAttemptAt: { lte: new Date(now.getTime() - leaseMs) } }],
      },
      data: { deliveryAttempts: { increment: 1 }, lastAttemptAt: now },
    });
    return count === 1 ? this.db.notification.findUnique({ where: { id } }) : null;
  }

  async markDelivered(id: string, deliveredAt: Date): Promise<void> {
    await this.db.notification.update({ where: { id }, data: { deliveredAt } });
  }

  /** Undelivered notifications a retry may take (oldest first), made after `since`. */
  async findRetryable(since: Date, now: Date, { leaseMs, maxAttempts, limit }: { leaseMs: number; maxAttempts: number; limit: number }): Promise<string[]> {
    const rows = await this.db.notification.findMany({
      where: {
        deliveredAt: null,
        createdAt: { gte: since },
        deliveryAttempts: { lt: maxAttempts },
        OR: [{ lastAttemptAt: null }, { lastAttemptAt: { lte: new Date(now.getTime() - leaseMs) } }],
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true },
      take: limit,
    });
    return rows.map((row) => row.id);
  }
}
