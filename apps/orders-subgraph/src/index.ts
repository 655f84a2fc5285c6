/**
 * The orders subgraph: Order, OrderItem, User.orders; createOrder and cancelOrder.
 *
 * What a composition root needs:
 * - `createOrdersSubgraph({ db, inventory, outbox? })` -> SubgraphModule. `inventory` is an `InventoryClient`:
 *   in the monolith an adapter over inventory's reservations, alone an `HttpInventoryClient`. `outbox` is woken
 *   after each transaction that wrote an event (pass the `OutboxRelay`); without it the relay's poll finds them.
 * - `registerOrdersSubscriptions(subscriber, { db })`: orders' event handlers (invoices.paid -> PAID).
 * - `ORDERS_SOURCE` ("orders"): the outbox source a relay must include to publish orders' events.
 * - `createOrderPlacements({ db })` -> `OrderPlacements.settle(orderIds)`: what inventory's reservation sweeper asks
 *   (PLACED or ABANDONED per order id; docs/adr/0011-order-placement-protocol.md), and
 *   `ordersInternalRoutes(placements, internalSecret)`: the same over HTTP (POST /internal/orders/placements).
 */
import { NO_OUTBOX_NOTIFIER, type OutboxNotifier } from "@monograph/events";
import { buildSubgraphFromFile, type SubgraphModule } from "@monograph/platform";
import type { OrdersContext } from "./context.ts";
import type { InventoryClient } from "./inventory.ts";
import { createOrdersLoaders } from "./loaders.ts";
import { OrdersRepository, type OrdersDb } from "./repository.ts";
import { resolvers } from "./resolvers.ts";
import { OrdersService } from "./service.ts";
import { OrderPlacements, type CrashPoint } from "./placement.ts";

export { HttpInventoryClient, type HttpInventoryClientOptions, type InventoryClient, type ReservationRequestLine, type ReservedLine } from "./inventory.ts";
export { registerOrdersSubscriptions, ORDERS_CONSUMER, type OrdersSubscriptionsDeps } from "./subscriptions.ts";
export { ORDERS_SOURCE, ORDER_CREATED, ORDER_CANCELLED, INVOICE_PAID, type OrderCreatedPayload, type OrderCancelledPayload } from "./events.ts";
export type { OrdersDb } from "./repository.ts";
export type { OrdersContext } from "./context.ts";
export { attemptOrderId, CRASH_POINTS, OrderPlacements, type CrashPoint } from "./placement.ts";
export { ordersInternalRoutes, INTERNAL_PLACEMENTS_PATH } from "./internal-routes.ts";

export interface OrdersSubgraphDeps {
  db: OrdersDb;
  inventory: InventoryClient;
  outbox?: OutboxNotifier;
  /** Where failures nobody can be told about go (a compensation that failed). Default: the process's logger. */
  log?: (message: string, error?: unknown) => void;
  /** TEST ONLY: called at each named point of createOrder (see OrdersServiceDeps.onCrashPoint). */
  onCrashPoint?: (point: CrashPoint) => void;
}

export const ORDERS_SDL = new URL("../src/schema.graphql", import.meta.url);

export function createOrdersSubgraph(deps: OrdersSubgraphDeps): SubgraphModule<OrdersContext> {
  const repository = new OrdersRepository(deps.db);
  const orders = new OrdersService({ repository, inventory: deps.inventory, outbox: deps.outbox ?? NO_OUTBOX_NOTIFIER, log: deps.log, onCrashPoint: deps.onCrashPoint });
  return {
    name: "orders",
    schema: buildSubgraphFromFile(ORDERS_SDL, resolvers),
    createContext: (caller) => ({ caller, orders, loaders: createOrdersLoaders(repository) }),
  };
}

/** Orders' answer to inventory's sweeper, over a database handle; stateless, so one per process is enough. */
export function createOrderPlacements(deps: { db: OrdersDb }): OrderPlacements {
  return new OrderPlacements(new OrdersRepository(deps.db));
}
