import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "@monograph/db";
import { recordEvent, type OutboxNotifier } from "@monograph/events";
import {
  badUserInput,
  childLogger,
  conflict,
  decodeTimeKeyset,
  emptyConnection,
  DomainError,
  encodeTimeKeyset,
  ErrorCode,
  forbidden,
  forRequest,
  isAdmin,
  isUuid,
  notFound,
  pageSize,
  toConnection,
  unauthenticated,
  type Caller,
  type RequestContext,
  type Connection,
} from "@monograph/platform";
import { ORDER_CANCELLED, ORDER_CREATED, ORDERS_SOURCE, type OrderCancelledPayload, type OrderCreatedPayload } from "./events.ts";
import type { CreateOrderInput, QueryOrdersArgs } from "./generated/resolvers-types.ts";
import type { InventoryClient, ReservationRequestLine, ReservedLine } from "./inventory.ts";
import type { OrdersLoaders } from "./loaders.ts";
import { currentAttemptId, OrderPlacements, type CrashPoint } from "./placement.ts";
import type { OrderFilter, OrderItemRecord, OrderRecord, OrdersRepository } from "./repository.ts";
import { assertTransition, invalidTransition } from "./status.ts";

const log = childLogger("orders");

export const MAX_LINES = 50;
export const MAX_QUANTITY = 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 100;
const MAX_SKU_LENGTH = 64;
// Amounts are GraphQL Ints and INTEGER columns.
const MAX_TOTAL_CENTS = 2_147_483_647;

export type { CreateOrderInput };

/** The arguments of Query.orders and User.orders (the same three), as the SDL states them (generated). */
export type PageArgs = QueryOrdersArgs;

/** A page of orders. `totalCount` costs a COUNT, so it runs only when a client asks for it. */
export type OrderConnection = Connection<OrderRecord>;

export interface OrdersServiceDeps {
  repository: OrdersRepository;
  inventory: InventoryClient;
  /** Woken after each transaction that wrote an event. */
  outbox: OutboxNotifier;
  log?: (message: string, error?: unknown, request?: RequestContext) => void;
  /**
   * Called at each named point of createOrder. TEST ONLY: an orders process started with ORDERS_CRASH_AT kills
   * itself there (SIGKILL), so fault tests can crash it between the steps of placing an order.
   */
  onCrashPoint?: (point: CrashPoint) => void;
}

/** The orders domain's rules: placing and cancelling orders, and who may see which. */
export class OrdersService {
  private readonly repository: OrdersRepository;
  private readonly inventory: InventoryClient;
  private readonly outbox: OutboxNotifier;
  private readonly log: (message: string, error?: unknown, request?: RequestContext) => void;
  private readonly placements: OrderPlacements;
  private readonly onCrashPoint: ((point: CrashPoint) => void) | undefined;

  constructor(deps: OrdersServiceDeps) {
    this.repository = deps.repository;
    this.placements = new OrderPlacements(deps.repository);
    this.onCrashPoint = deps.onCrashPoint;
    this.inventory = deps.inventory;
    this.outbox = deps.outbox;
    this.log = deps.log ?? ((message, error, request) => forRequest(log, request).error(error === undefined ? {} : { err: error }, message));
  }

  /**
   * Places an order, safely at every crash point (docs/adr/0011-order-placement-protocol.md): validate, replay an
   * earlier answer for a reused idempotency key, reserve the stock under an order id derived from the customer and
   * the key (so a retry continues the same attempt: inventory's reservation is idempotent per order id), then
   * write the order, its placement, its lines and `orders.created` in ONE transaction. An attempt that fails after
   * its reservation may exist is abandoned: its id is decided ABANDONED first, and only then is the stock released;
   * if the order committed after all, abandoning finds it PLACED and releases nothing. What a crash leaves held,
   * inventory's sweeper releases after its grace period, by the same rule.
   */
  async createOrder(caller: Caller, input: CreateOrderInput, request?: RequestContext): Promise<OrderRecord> {
    const customerId = orderingUser(caller);
    const lines = validateLines(input.items);
    const idempotencyKey = validateIdempotencyKey(input.idempotencyKey);

    if (idempotencyKey) {
      const earlier = await this.repository.findByIdempotencyKey(customerId, idempotencyKey);
      if (earlier) return this.replay(earlier, lines);
    }

    // An attempt abandoned while this request was on it (it took longer than the sweeper's grace period) is
    // followed by the next attempt of the same key, a few times at most.
    for (let round = 1; ; round += 1) {
      const orderId = idempotencyKey ? await currentAttemptId(this.repository, customerId, idempotencyKey) : randomUUID();
      try {
        return await this.placeAttempt(orderId, customerId, idempotencyKey, lines, request);
      } catch (error) {
        if (!(error instanceof AttemptAbandoned)) throw error;
        if (round >= 3) throw attemptAbandoned();
      }
    }
  }

  /** One attempt of createOrder under one order id; AttemptAbandoned when that id was given up meanwhile. */
  private async placeAttempt(orderId: string, customerId: string, idempotencyKey: string | null, lines: ReservationRequestLine[], request: RequestContext | undefined): Promise<OrderRecord> {
    this.crashPoint("before-reserve");
    let reserved: ReservedLine[];
    try {
      reserved = (await this.inventory.reserve(orderId, lines, request)).lines;
    } catch (error) {
      const code = error instanceof DomainError ? error.extensions.code : undefined;
      // The outcome of a reservation that timed out is unknown: undo whatever may have been held.
      if (code === ErrorCode.SERVICE_UNAVAILABLE) await this.abandon(orderId, request);
      // A concurrent request with the same key may have taken the stock this one wanted: answer as it did.
      const earlier = idempotencyKey ? await this.repository.findByIdempotencyKey(customerId, idempotencyKey) : null;
      if (earlier) return this.replay(earlier, lines);
      // This attempt's reservation was released meanwhile (abandoned): the next try starts a new attempt.
      if (code === ErrorCode.INVALID_STATE_TRANSITION) throw new AttemptAbandoned();
      throw error;
    }
    this.crashPoint("after-reserve");

    let priced: ReturnType<typeof priceLines>;
    try {
      priced = priceLines(lines, reserved);
    } catch (error) {
      await this.abandon(orderId, request);
      throw error;
    }

    let order: OrderRecord;
    try {
      order = await this.repository.transaction(async (tx) => {
        // First: the claim on the order id fails at once when the sweeper abandoned it (its stock is given back).
        await this.repository.claimPlacement(tx, orderId);
        const created = await this.repository.insert(tx, { id: orderId, customerId, idempotencyKey, currency: priced.currency, totalCents: priced.totalCents, items: priced.items });
        const payload: OrderCreatedPayload = {
          orderId,
          customerId,
          totalCents: created.totalCents,
          currency: created.currency,
          placedAt: created.createdAt.toISOString(),
          items: priced.items,
        };
        await recordEvent(tx, { source: ORDERS_SOURCE, type: ORDER_CREATED.type, payload, occurredAt: created.createdAt });
        return created;
      });
    } catch (error) {
      // Two requests with one idempotency key at the same moment: the unique index let the other one win. It
      // holds the same attempt's reservation, unless it continued another attempt.
      if (idempotencyKey && isUniqueViolation(error)) {
        const winner = await this.repository.findByIdempotencyKey(customerId, idempotencyKey);
        if (winner) {
          if (winner.id !== orderId) await this.abandon(orderId, request);
          return this.replay(winner, lines);
        }
      }
      // Decides the attempt: PLACED if the transaction committed after all (then nothing is released), else
      // ABANDONED and released. If even that fails (the database is away), the sweeper settles it later.
      await this.abandon(orderId, request);
      if (isUniqueViolation(error)) throw new AttemptAbandoned();
      throw error;
    }
    this.outbox.notify();
    this.crashPoint("after-order");
    return order;
  }

  /**
   * Answers inventory's sweeper: PLACED or ABANDONED for each order id, deciding undecided ones as ABANDONED
   * (see OrderPlacements).
   */
  settlePlacements(orderIds: readonly string[]): Promise<Record<string, "PLACED" | "ABANDONED">> {
    return this.placements.settle(orderIds);
  }

  /** Cancels a PENDING_PAYMENT order; inventory and billing react to `orders.cancelled`. */
  async cancelOrder(caller: Caller, id: string): Promise<OrderRecord> {
    requireSignedIn(caller);
    const [order] = isUuid(id) ? await this.repository.findManyByIds([id]) : [];
    if (!order || !canSee(caller, order)) throw notFound("No such order.", { id });
    // Cancelling a cancelled order answers it: the retry of a cancellation that took effect.
    if (order.status === "CANCELLED") return order;
    assertTransition(order.status, "CANCELLED");

    const cancelled = await this.repository.transaction(async (tx) => {
      if (!(await this.repository.transition(tx, id, "PENDING_PAYMENT", "CANCELLED"))) {
        // It moved between our read and this update (its invoice was just paid).
        const current = await this.repository.findInTransaction(tx, id);
        // Or a concurrent cancellation won: that is this request's outcome too, with no second event.
        if (current?.status === "CANCELLED") return { order: current, cancelled: false };
        throw invalidTransition(current?.status ?? order.status, "CANCELLED");
      }
      const updated = (await this.repository.findInTransaction(tx, id))!;
      const payload: OrderCancelledPayload = { orderId: id, customerId: updated.customerId, cancelledAt: updated.updatedAt.toISOString() };
      await recordEvent(tx, { source: ORDERS_SOURCE, type: ORDER_CANCELLED.type, payload, occurredAt: updated.updatedAt });
      return { order: updated, cancelled: true };
    });
    if (cancelled.cancelled) this.outbox.notify();
    return cancelled.order;
  }

  /** One order: yours, or any for an admin. Anything else reads as "no such order", so ids cannot be probed. */
  async order(caller: Caller, id: string, loaders: OrdersLoaders): Promise<OrderRecord | null> {
    requireSignedIn(caller);
    return this.visibleOrder(caller, id, loaders);
  }

  /** Entity references from other subgraphs (Invoice.order): the same visibility as `order`, but never an error. */
  resolveReference(caller: Caller, id: string, loaders: OrdersLoaders): Promise<OrderRecord | null> {
    return this.visibleOrder(caller, id, loaders);
  }

  /** Every customer's orders. Admins only. */
  async allOrders(caller: Caller, args: PageArgs): Promise<OrderConnection> {
    requireSignedIn(caller);
    if (!isAdmin(caller) && caller.kind !== "service") throw forbidden("Only admins can list all orders.");
    return this.page({ status: args.status }, args);
  }

  /**
   * `User.orders`: the user's own orders, or anyone's for an admin. For anyone else it is an empty connection,
   * not an error: a customer looking at another User learns nothing, and a larger query around it still works.
   */
  async ordersOf(caller: Caller, userId: string, args: PageArgs): Promise<OrderConnection> {
    const allowed = isAdmin(caller) || caller.kind === "service" || (caller.kind === "user" && caller.userId === userId);
    if (!allowed || !isUuid(userId)) {
      // Arguments are still checked, so a bad `first` is an error whoever asks.
      pageSize(args.first);
      return emptyConnection();
    }
    return this.page({ customerId: userId, status: args.status }, args);
  }

  items(order: OrderRecord, loaders: OrdersLoaders): Promise<OrderItemRecord[]> {
    return loaders.itemsByOrderId.load(order.id);
  }

  private async visibleOrder(caller: Caller, id: string, loaders: OrdersLoaders): Promise<OrderRecord | null> {
    if (caller.kind === "anonymous" || !isUuid(id)) return null;
    const order = await loaders.orderById.load(id);
    return order && canSee(caller, order) ? order : null;
  }

  private async page(filter: OrderFilter, args: PageArgs): Promise<OrderConnection> {
    const size = pageSize(args.first);
    const after = args.after ? decodeTimeKeyset(args.after) : null;
    const rows = await this.repository.listPage(filter, after, size + 1);
    return toConnection(rows, size, (order) => encodeTimeKeyset(order.createdAt, order.id), () => this.repository.count(filter));
  }

  /** The answer to a retried createOrder: the order the key first created, if the request is the same. */
  private async replay(order: OrderRecord, lines: ReservationRequestLine[]): Promise<OrderRecord> {
    const items = await this.repository.findItemsByOrderIds([order.id]);
    const same =
      items.length === lines.length && items.every((item) => lines.some((line) => line.sku === item.sku && line.quantity === item.quantity));
    if (!same) throw conflict("This idempotency key was already used for a different order.", { field: "idempotencyKey" });
    return order;
  }

  /**
   * Gives up an attempt whose reservation may exist: decide its id ABANDONED (unless its order committed), then
   * release. Best effort, because the caller is already failing: what fails here, the sweeper settles later.
   */
  private async abandon(orderId: string, request: RequestContext | undefined): Promise<void> {
    try {
      const outcome = (await this.placements.settle([orderId]))[orderId];
      if (outcome !== "ABANDONED") return;
      await this.inventory.release(orderId, request);
    } catch (error) {
      this.log(`could not give up attempt ${orderId} now; inventory's sweeper will release its stock after its grace period`, error, request);
    }
  }

  private crashPoint(point: CrashPoint): void {
    this.onCrashPoint?.(point);
  }
}

/** Inside createOrder: the attempt's order id was decided ABANDONED while the request was on it. */
class AttemptAbandoned extends Error {}

/** An attempt the sweeper (or a failure) gave up while this request was on it; a retry starts the next attempt. */
function attemptAbandoned(): DomainError {
  return new DomainError(ErrorCode.SERVICE_UNAVAILABLE, "Placing this order took too long and was abandoned; nothing was ordered. Please try again.");
}

function requireSignedIn(caller: Caller): void {
  if (caller.kind === "anonymous") throw unauthenticated();
}

/** Orders are placed by signed-in users, for themselves. A service has no basket. */
function orderingUser(caller: Caller): string {
  if (caller.kind === "anonymous") throw unauthenticated();
  if (caller.kind !== "user") throw forbidden("Only a signed-in user can place an order.");
  return caller.userId;
}

function canSee(caller: Caller, order: OrderRecord): boolean {
  if (caller.kind === "service" || isAdmin(caller)) return true;
  return caller.kind === "user" && caller.userId === order.customerId;
}

function validateLines(items: CreateOrderInput["items"]): ReservationRequestLine[] {
  if (items.length < 1 || items.length > MAX_LINES) throw badUserInput(`An order has 1 to ${MAX_LINES} lines.`, { field: "items" });
  const seen = new Set<string>();
  return items.map((item, index) => {
    const sku = item.sku.trim();
    if (sku.length === 0 || sku.length > MAX_SKU_LENGTH) throw badUserInput("Every line needs a SKU.", { field: `items.${index}.sku` });
    if (seen.has(sku)) throw badUserInput(`SKU ${sku} appears on more than one line; put the total quantity on one line.`, { field: `items.${index}.sku`, sku });
    seen.add(sku);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      throw badUserInput(`Quantity must be a whole number from 1 to ${MAX_QUANTITY}.`, { field: `items.${index}.quantity`, sku });
    }
    return { sku, quantity: item.quantity };
  });
}

function validateIdempotencyKey(key: string | null | undefined): string | null {
  if (key === null || key === undefined) return null;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badUserInput(`An idempotency key has 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`, { field: "idempotencyKey" });
  }
  return key;
}

/** The captured prices, line by line in the customer's order, and the total. One currency per order. */
function priceLines(lines: ReservationRequestLine[], reserved: ReservedLine[]) {
  const bySku = new Map(reserved.map((line) => [line.sku, line]));
  const items = lines.map((line) => {
    const match = bySku.get(line.sku);
    // Inventory answered for other lines than we asked: a broken contract, not the customer's problem.
    if (!match) throw new Error(`inventory did not reserve ${line.sku}`);
    return { sku: line.sku, quantity: line.quantity, unitPriceCents: match.unitPriceCents };
  });
  const currencies = [...new Set(reserved.map((line) => line.currency))].sort();
  if (currencies.length !== 1) {
    throw badUserInput(`These products are priced in different currencies (${currencies.join(", ")}); place one order per currency.`, { field: "items" });
  }
  const totalCents = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
  if (totalCents > MAX_TOTAL_CENTS) throw badUserInput("This order's total is too large; split it into several orders.", { field: "items" });
  return { items, currency: currencies[0]!, totalCents };
}
