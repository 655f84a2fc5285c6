import { isUniqueViolation } from "@monograph/db";
import { badUserInput, conflict, DomainError, ErrorCode, isUuid, notFound } from "@monograph/platform";
import type { InventoryRepository, InventoryTx, ProductRecord, ReservationStatus, ReservationWithLines } from "./repository.ts";
import { isSku, MAX_LINES, MAX_QUANTITY } from "./rules.ts";

// The lines of the reservations port: declared once, in inventory's contracts (what orders may know of them).
import type { ReservationRequestLine, ReservedLine } from "./contracts.ts";

export type { ReservedLine };
/** One line to reserve. */
export type ReservationLineRequest = ReservationRequestLine;

export interface ReservationResult {
  /** In the order of the request's lines. */
  lines: ReservedLine[];
}

/**
 * Stock held for orders: the API the orders domain reaches through its injected InventoryClient (in-process, or
 * over inventory's internal HTTP routes), and inventory's event handlers call with their own transaction.
 *
 * Life of a reservation, one per orderId: HELD (units moved from available to reserved) -> COMMITTED (sold: the
 * reserved units leave the stock) or RELEASED (given back to available). Every call is idempotent per orderId.
 */
export class InventoryReservations {
  constructor(private readonly repository: InventoryRepository) {}

  /**
   * Reserves every line or none, in ONE transaction. Refusals name the line's SKU in `extensions.sku`:
   * NOT_FOUND (no such product) or OUT_OF_STOCK (fewer units available than asked). Lines are validated first
   * (1 to 50 lines, each SKU once, quantities 1 to 1000): BAD_USER_INPUT.
   *
   * Calling it again for an order that already has a HELD or COMMITTED reservation with the same lines answers
   * again without touching stock (the name and price are read again: reservation lines store SKU and quantity
   * only). Different lines for the same order are a CONFLICT; a RELEASED reservation cannot be reserved again
   * (INVALID_STATE_TRANSITION): an order whose stock was given back needs a new order id.
   */
  async reserve(orderId: string, lines: readonly ReservationLineRequest[]): Promise<ReservationResult> {
    checkOrderId(orderId);
    const requested = validateLines(lines);
    try {
      return await this.repository.transaction(async (tx) => {
        const existing = await this.repository.findReservation(orderId, tx);
        if (existing) return this.replay(existing, requested, tx);
        // The reservation row first: a concurrent reserve for the same order waits on its unique index before
        // touching any stock.
        await this.repository.createReservation(tx, orderId, requested);
        // Always in SKU order, so two reservations sharing products lock them in the same order (no deadlock).
        for (const line of [...requested].sort(bySku)) {
          if (await this.repository.hold(tx, line.sku, line.quantity)) continue;
          const product = await this.repository.findBySku(line.sku, tx);
          throw product ? outOfStock(line, product.stockAvailable) : unknownSku(line.sku);
        }
        return { lines: await this.captured(requested, tx) };
      });
    } catch (error) {
      // A concurrent reserve for the same order committed first: answer as it did.
      if (isUniqueViolation(error)) {
        const winner = await this.repository.findReservation(orderId);
        if (winner) return this.replay(winner, requested);
      }
      throw error;
    }
  }

  /**
   * Gives a HELD reservation's units back to available stock. No-op when the order has no reservation or it is
   * already RELEASED. A COMMITTED reservation is INVALID_STATE_TRANSITION: those units were sold, and putting
   * them back on the shelf (a return) is a stock decision for an admin (adjustStock), not a side effect.
   *
   * @param tx run inside this transaction (an event handler's, so its inbox entry commits with the change);
   *   without it the release runs in a transaction of its own.
   */
  async release(orderId: string, tx?: InventoryTx): Promise<void> {
    checkOrderId(orderId);
    await this.inTransaction(tx, async (db) => {
      const reservation = await this.repository.findReservation(orderId, db);
      if (reservation) await this.settle(reservation, "RELEASED", db);
    });
  }

  /**
   * Turns a HELD reservation into a sale: its units leave reserved stock for good. No-op when already COMMITTED.
   * NOT_FOUND when the order has no reservation; INVALID_STATE_TRANSITION when it was RELEASED (the stock went
   * back on sale, for instance when a cancellation and a payment crossed).
   *
   * @param tx as for `release`.
   */
  async commit(orderId: string, tx?: InventoryTx): Promise<void> {
    checkOrderId(orderId);
    await this.inTransaction(tx, async (db) => {
      const reservation = await this.repository.findReservation(orderId, db);
      if (!reservation) throw notFound("No stock is reserved for this order.", { orderId });
      await this.settle(reservation, "COMMITTED", db);
    });
  }

  private inTransaction(tx: InventoryTx | undefined, work: (db: InventoryTx) => Promise<void>): Promise<void> {
    return tx ? work(tx) : this.repository.transaction(work);
  }

  /** HELD -> RELEASED or COMMITTED, moving the stock with it; a reservation already there is left alone. */
  private async settle(reservation: ReservationWithLines, to: "RELEASED" | "COMMITTED", db: InventoryTx): Promise<void> {
    let status = reservation.status;
    if (status === "HELD") {
      // The conditional UPDATE decides between concurrent release and commit calls: only one moves it out of HELD.
      if (await this.repository.transition(db, reservation.id, "HELD", to)) {
        for (const line of [...reservation.lines].sort(bySku)) {
          const moved = to === "RELEASED" ? await this.repository.unhold(db, line.sku, line.quantity) : await this.repository.sell(db, line.sku, line.quantity);
          // Every HELD line's units sit in stockReserved; anything else is a bug, and the transaction rolls back.
          if (!moved) throw new Error(`reservation ${reservation.id} holds ${line.quantity} of ${line.sku}, which are not reserved`);
        }
        return;
      }
      status = (await this.repository.findReservation(reservation.orderId, db))?.status ?? status;
    }
    if (status !== to) throw invalidTransition(status, to);
  }

  private async replay(existing: ReservationWithLines, requested: ReservationLineRequest[], db?: InventoryTx): Promise<ReservationResult> {
    if (existing.status === "RELEASED") throw invalidTransition("RELEASED", "HELD");
    const held = new Map(existing.lines.map((line) => [line.sku, line.quantity]));
    const same = held.size === requested.length && requested.every((line) => held.get(line.sku) === line.quantity);
    if (!same) throw conflict("Stock is already reserved for this order, with different lines.", { field: "lines" });
    return { lines: await this.captured(requested, db) };
  }

  /** The product data orders captures, line by line in the request's order. */
  private async captured(lines: ReservationLineRequest[], db?: InventoryTx): Promise<ReservedLine[]> {
    const products = await this.repository.findManyBySkus(lines.map((line) => line.sku), db);
    const bySku = new Map<string, ProductRecord>(products.map((product) => [product.sku, product]));
    return lines.map((line) => {
      const product = bySku.get(line.sku);
      // Products are never deleted, and a reserved one was just read under lock.
      if (!product) throw new Error(`reserved product ${line.sku} is missing`);
      return { sku: line.sku, name: product.name, quantity: line.quantity, unitPriceCents: product.priceCents, currency: product.currency };
    });
  }
}

const bySku = (a: { sku: string }, b: { sku: string }) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

function checkOrderId(orderId: unknown): asserts orderId is string {
  if (!isUuid(orderId)) throw badUserInput("`orderId` must be a UUID.", { field: "orderId" });
}

/** Duplicate SKUs are refused, not merged: each reserved line answers exactly one requested line. */
function validateLines(lines: readonly ReservationLineRequest[]): ReservationLineRequest[] {
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > MAX_LINES) throw badUserInput(`A reservation has 1 to ${MAX_LINES} lines.`, { field: "lines" });
  const seen = new Set<string>();
  return lines.map((line, index) => {
    const { sku, quantity } = line;
    if (typeof sku !== "string" || sku.length === 0) throw badUserInput("Every line needs a SKU.", { field: `lines.${index}.sku` });
    if (!isSku(sku)) throw unknownSku(sku);
    if (seen.has(sku)) throw badUserInput(`SKU ${sku} appears on more than one line; put the total quantity on one line.`, { field: `lines.${index}.sku`, sku });
    seen.add(sku);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      throw badUserInput(`Quantity must be a whole number from 1 to ${MAX_QUANTITY}.`, { field: `lines.${index}.quantity`, sku });
    }
    return { sku, quantity };
  });
}

const unknownSku = (sku: string) => notFound(`No product has SKU ${sku}.`, { sku });

function outOfStock(line: ReservationLineRequest, available: number): DomainError {
  const message = available === 0 ? `${line.sku} is out of stock.` : `Only ${available} of ${line.sku} available; ${line.quantity} requested.`;
  return new DomainError(ErrorCode.OUT_OF_STOCK, message, { sku: line.sku });
}

function invalidTransition(from: ReservationStatus, to: ReservationStatus): DomainError {
  const verb = { HELD: "reserved again", RELEASED: "released", COMMITTED: "committed" }[to];
  return new DomainError(ErrorCode.INVALID_STATE_TRANSITION, `The reservation for this order is ${from.toLowerCase()}; it cannot be ${verb}.`, { from, to });
}
