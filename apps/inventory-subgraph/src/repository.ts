import type { DomainDb, DomainTx, Prisma, Product, Reservation, ReservationLine } from "@monograph/db";

/** inventory's own tables. */
export type InventoryModels = "product" | "reservation" | "reservationLine";
/**
 * The inventory domain sees its own tables, plus transactions over them and its inbox (it consumes events, it
 * publishes none). Touching another domain's model does not compile.
 */
export type InventoryDb = DomainDb<InventoryModels, "processedEvent">;
/**
 * Inside a transaction: inventory's tables. Its event handlers' transactions (which also write the inbox) fit this
 * type, so a stock change can join the transaction that records the event as handled.
 */
export type InventoryTx = DomainTx<InventoryModels>;

export type ProductRecord = Product;
export type ReservationStatus = Reservation["status"];
export type ReservationWithLines = Reservation & { lines: ReservationLine[] };

export interface NewProduct {
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  stockAvailable: number;
}

export interface ProductChanges {
  name?: string;
  description?: string;
  priceCents?: number;
}

export interface ProductFilter {
  nameContains?: string;
}

/**
 * The only code that touches inventory's tables. Every stock change is ONE conditional UPDATE whose WHERE carries
 * the rule (enough stock, still HELD...): the database decides under its row lock, so two concurrent requests can
 * never both pass a check that only one of them should pass. Callers look at the affected-row count.
 */
export class InventoryRepository {
  constructor(private readonly db: InventoryDb) {}

  transaction<T>(work: (tx: InventoryTx) => Promise<T>): Promise<T> {
    return this.db.$transaction((tx) => work(tx));
  }

  findBySku(sku: string, db: InventoryTx = this.db): Promise<ProductRecord | null> {
    return db.product.findUnique({ where: { sku } });
  }

  /** Many products in one statement (the DataLoader's batch, and a reservation's captured data). */
  findManyBySkus(skus: readonly string[], db: InventoryTx = this.db): Promise<ProductRecord[]> {
    return db.product.findMany({ where: { sku: { in: [...skus] } } });
  }

  /** Ordered by SKU; keyset pagination on the SKU (the primary key), so pages stay stable while products are added. */
  listPage(filter: ProductFilter, afterSku: string | null, take: number): Promise<ProductRecord[]> {
    return this.db.product.findMany({
      where: { ...whereOf(filter), ...(afterSku === null ? {} : { sku: { gt: afterSku } }) },
      orderBy: { sku: "asc" },
      take,
    });
  }

  count(filter: ProductFilter): Promise<number> {
    return this.db.product.count({ where: whereOf(filter) });
  }

  create(product: NewProduct): Promise<ProductRecord> {
    return this.db.product.create({ data: product });
  }

  /** Returns false when no product has this SKU. */
  async update(tx: InventoryTx, sku: string, changes: ProductChanges): Promise<boolean> {
    const { count } = await tx.product.updateMany({ where: { sku }, data: changes });
    return count === 1;
  }

  /** Adds units to available stock, unless the result would exceed `max`. Returns false when it did not apply. */
  async addAvailable(tx: InventoryTx, sku: string, units: number, max: number): Promise<boolean> {
    const { count } = await tx.product.updateMany({
      where: { sku, stockAvailable: { lte: max - units } },
      data: { stockAvailable: { increment: units } },
    });
    return count === 1;
  }

  /** Removes units from available stock only when that many are available. Returns false when it did not apply. */
  async removeAvailable(tx: InventoryTx, sku: string, units: number): Promise<boolean> {
    const { count } = await tx.product.updateMany({
      where: { sku, stockAvailable: { gte: units } },
      data: { stockAvailable: { decrement: units } },
    });
    return count === 1;
  }

  /** Moves units from available to reserved, only when that many are available. */
  async hold(tx: InventoryTx, sku: string, units: number): Promise<boolean> {
    const { count } = await tx.product.updateMany({
      where: { sku, stockAvailable: { gte: units } },
      data: { stockAvailable: { decrement: units }, stockReserved: { increment: units } },
    });
    return count === 1;
  }

  /** Moves held units back to available. */
  async unhold(tx: InventoryTx, sku: string, units: number): Promise<boolean> {
    const { count } = await tx.product.updateMany({
      where: { sku, stockReserved: { gte: units } },
      data: { stockReserved: { decrement: units }, stockAvailable: { increment: units } },
    });
    return count === 1;
  }

  /** Held units leave the stock for good (they are sold). */
  async sell(tx: InventoryTx, sku: string, units: number): Promise<boolean> {
    const { count } = await tx.product.updateMany({
      where: { sku, stockReserved: { gte: units } },
      data: { stockReserved: { decrement: units } },
    });
    return count === 1;
  }

  findReservation(orderId: string, db: InventoryTx = this.db): Promise<ReservationWithLines | null> {
    return db.reservation.findUnique({ where: { orderId }, include: { lines: true } });
  }

  /**
   * Inserts the HELD reservation and its lines. A second reservation for the same order waits on the unique
   * index until the first one's transaction ends, then fails with a unique violation.
   */
  createReservation(tx: InventoryTx, orderId: string, lines: readonly { sku: string; quantity: number }[]): Promise<Reservation> {
    return tx.reservation.create({ data: { orderId, status: "HELD", lines: { create: lines.map(({ sku, quantity }) => ({ sku, quantity })) } } });
  }

  /**
   * HELD reservations nobody confirmed, placed before `before`, oldest first: what the sweeper asks orders about.
   */
  findUnconfirmedHeld(before: Date, take: number): Promise<Reservation[]> {
    return this.db.reservation.findMany({
      where: { status: "HELD", confirmedAt: null, createdAt: { lt: before } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take,
    });
  }

  /** Marks reservations as belonging to orders that exist: the sweeper never asks about them again. */
  async confirm(orderIds: readonly string[]): Promise<number> {
    if (orderIds.length === 0) return 0;
    const { count } = await this.db.reservation.updateMany({ where: { orderId: { in: [...orderIds] }, confirmedAt: null }, data: { confirmedAt: new Date() } });
    return count;
  }

  /** Moves a reservation from one status to another, only if it is still in `from`. */
  async transition(tx: InventoryTx, reservationId: string, from: ReservationStatus, to: ReservationStatus): Promise<boolean> {
    const { count } = await tx.reservation.updateMany({ where: { id: reservationId, status: from }, data: { status: to } });
    return count === 1;
  }
}

function whereOf(filter: ProductFilter): Prisma.ProductWhereInput {
  return filter.nameContains ? { name: { contains: escapeLike(filter.nameContains), mode: "insensitive" } } : {};
}

// Prisma turns `contains` into ILIKE '%value%' without escaping, so a "%" or "_" typed by a client would match
// anything. Backslash is PostgreSQL's default LIKE escape character.
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}
