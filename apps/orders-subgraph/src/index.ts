/**
 * The orders subgraph: Order, OrderItem, User.orders; createOrder and cancelOrder.
 *
 * What a composition root needs:
 * - `createOrdersSubgraph({ db, inventory, outbox? })` -> SubgraphModule. `inventory` is an `InventoryClient`:
 *   in the monolith an adapter over inventory's reservations, alone an `HttpInventoryClient`. `outbox` is woken
 *   after each transaction that wrote an event (pass the `OutboxRelay`); without it the relay's poll finds them.
 * - `registerOrdersSubscriptions(subscriber, { db })`: orders' event handlers (invoices.paid -> PAID).
 * - `ORDERS_SOURCE` ("orders"): the outbox source a relay must include to publish orders' events.
 */
import { NO_OUTBOX_NOTIFIER, type OutboxNotifier } from "@monograph/events";
import { buildSubgraphFromFile, type BaseSubgraphContext, type SubgraphModule } from "@monograph/platform";
import type { InventoryClient } from "./inventory.ts";
import { createOrdersLoaders, type OrdersLoaders } from "./loaders.ts";
import { OrdersRepository, type OrdersDb } from "./repository.ts";
import { resolvers } from "./resolvers.ts";
import { OrdersService } from "./service.ts";

export { HttpInventoryClient, type HttpInventoryClientOptions, type InventoryClient, type ReservationRequestLine, type ReservedLine } from "./inventory.ts";
export { registerOrdersSubscriptions, ORDERS_CONSUMER, type OrdersSubscriptionsDeps } from "./subscriptions.ts";
export { ORDERS_SOURCE, ORDER_CREATED, ORDER_CANCELLED, INVOICE_PAID, type OrderCreatedPayload, type OrderCancelledPayload } from "./events.ts";
export type { OrdersDb } from "./repository.ts";

export interface OrdersSubgraphDeps {
  db: OrdersDb;
  inventory: InventoryClient;
  outbox?: OutboxNotifier;
  /** Where failures nobody can be told about go (a compensation that failed). Default: the process's logger. */
  log?: (message: string, error?: unknown) => void;
}

export interface OrdersContext extends BaseSubgraphContext {
  orders: OrdersService;
  loaders: OrdersLoaders;
}

export const ORDERS_SDL = new URL("./schema.graphql", import.meta.url);

export function createOrdersSubgraph(deps: OrdersSubgraphDeps): SubgraphModule<OrdersContext> {
  const repository = new OrdersRepository(deps.db);
  const orders = new OrdersService({ repository, inventory: deps.inventory, outbox: deps.outbox ?? NO_OUTBOX_NOTIFIER, log: deps.log });
  return {
    name: "orders",
    schema: buildSubgraphFromFile(ORDERS_SDL, resolvers),
    createContext: (caller) => ({ caller, orders, loaders: createOrdersLoaders(repository) }),
  };
}
