import { newestFirst, olderThan, type DomainDb, type DomainTx, type Order, type OrderItem, type PlacementOutcome, type Prisma, type TimeKeyset } from "@monograph/db";
import type { OrderStatus } from "./status.ts";

/** orders' own tables. */
export type OrdersModels = "order" | "orderItem" | "placement";
/**
 * The orders domain sees its own tables, plus transactions over them in which it also writes its outbox events and
 * inbox entries. Touching another domain's model does not compile, in a transaction either (src/sealed.typetest.ts).
 */
export type OrdersDb = DomainDb<OrdersModels, "outboxEvent" | "processedEvent">;
/** Inside one of orders' transactions: its tables, the outbox and the inbox. */
export type OrdersTx = DomainTx<OrdersModels | "outboxEvent" | "processedEvent">;

export type OrderRecord = Order;
export type OrderItemRecord = OrderItem;
export type { PlacementOutcome };

export interface NewOrder {
  id: string;
  customerId: string;
  currency: string;
  totalCents: number;
  idempotencyKey: string | null;
  items: { sku: string; quantity: number; unitPriceCents: number }[];
}

export interface OrderFilter {
  customerId?: string;
  status?: OrderStatus | null;
}

export class OrdersRepository {
  constructor(private readonly db: OrdersDb) {}

  transaction<T>(work: (tx: OrdersTx) => Promise<T>): Promise<T> {
    return this.db.$transaction((tx) => work(tx));
  }

  findManyByIds(ids: readonly string[]): Promise<OrderRecord[]> {
    return this.db.order.findMany({ where: { id: { in: [...ids] } } });
  }

  /** The lines of many orders in one statement (the DataLoader's batch). */
  findItemsByOrderIds(orderIds: readonly string[]): Promise<OrderItemRecord[]> {
    return this.db.orderItem.findMany({ where: { orderId: { in: [...orderIds] } }, orderBy: [{ orderId: "asc" }, { position: "asc" }] });
  }

  findByIdempotencyKey(customerId: string, idempotencyKey: string): Promise<OrderRecord | null> {
    return this.db.order.findUnique({ where: { customerId_idempotencyKey: { customerId, idempotencyKey } } });
  }

  /** Newest first; keyset pagination on (createdAt, id) so pages stay stable while orders are placed. */
  listPage(filter: OrderFilter, after: TimeKeyset | null, take: number): Promise<OrderRecord[]> {
    return this.db.order.findMany({ where: { ...whereOf(filter), ...olderThan("createdAt", after) }, orderBy: newestFirst("createdAt"), take });
  }

  count(filter: OrderFilter): Promise<number> {
    return this.db.order.count({ where: whereOf(filter) });
  }

  /** The order and its lines, in the caller's transaction. */
  async insert(tx: OrdersTx, order: NewOrder): Promise<OrderRecord> {
    return tx.order.create({
      data: {
        id: order.id,
        customerId: order.customerId,
        currency: order.currency,
        totalCents: order.totalCents,
        idempotencyKey: order.idempotencyKey,
        items: { create: order.items.map((item, position) => ({ ...item, position })) },
      },
    });
  }

  /**
   * Moves the order from `from` to `to` only if it is still in `from`; returns whether it moved. The condition is
   * in the UPDATE itself, so two concurrent moves cannot both win.
   */
  async transition(tx: OrdersTx, id: string, from: OrderStatus, to: OrderStatus): Promise<boolean> {
    const { count } = await tx.order.updateMany({ where: { id, status: from }, data: { status: to } });
    return count === 1;
  }

  findInTransaction(tx: OrdersTx, id: string): Promise<OrderRecord | null> {
    return tx.order.findUnique({ where: { id } });
  }

  /**
   * Claims the order id for an order, in the transaction that inserts it. Fails with a unique violation when the
   * id was already decided (ABANDONED: the sweeper or a failed attempt gave its stock back).
   */
  async claimPlacement(tx: OrdersTx, orderId: string): Promise<void> {
    await tx.placement.create({ data: { orderId, outcome: "PLACED" } });
  }

  /**
   * Decides every id not yet decided as ABANDONED (so it can never become an order), and returns each id's
   * outcome. An order committing at the same moment waits on (or makes wait) the same primary key: exactly one
   * of the two decisions stands.
   */
  async abandonUndecided(orderIds: readonly string[]): Promise<Map<string, PlacementOutcome>> {
    if (orderIds.length === 0) return new Map();
    const rows = await this.db.$transaction(async (tx) => {
      await tx.placement.createMany({ data: orderIds.map((orderId) => ({ orderId, outcome: "ABANDONED" as const })), skipDuplicates: true });
      return tx.placement.findMany({ where: { orderId: { in: [...orderIds] } } });
    });
    return new Map(rows.map((row) => [row.orderId, row.outcome]));
  }

  /** The ids among these that were abandoned. */
  async abandonedAmong(orderIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.placement.findMany({ where: { orderId: { in: [...orderIds] }, outcome: "ABANDONED" }, select: { orderId: true } });
    return new Set(rows.map((row) => row.orderId));
  }
}

function whereOf(filter: OrderFilter): Prisma.OrderWhereInput {
  return {
    ...(filter.customerId ? { customerId: filter.customerId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
}
