/**
 * What other domains may know of orders (its published language): the contracts of the ports it provides and of the
 * events it publishes (docs/adr/0014, docs/adr/0017). Consumers import this file as
 * `@monograph/orders-subgraph/contracts`; it imports nothing at run time (types only) and declares only types and
 * constants, so importing it loads none of orders' code. Changing a payload here is changing a promise to billing,
 * inventory and notifications.
 */
import type { EventContract } from "@monograph/events";
import type { PortContract } from "@monograph/platform";

/** What became of an attempt to place an order (docs/adr/0011-order-placement-protocol.md). */
export type PlacementOutcome = "PLACED" | "ABANDONED";

/**
 * Orders' answer to inventory's reservation sweeper: for each order id, PLACED (the order exists) or ABANDONED
 * (it never will: the attempt is closed for good). In-process, or over POST /internal/orders/placements.
 */
export interface Placements {
  settle(orderIds: readonly string[]): Promise<Record<string, PlacementOutcome>>;
}

/** The port orders provides and inventory's sweeper needs. */
export type PlacementsPort = PortContract<"placements", Placements>;


/** The outbox source of orders' events (a relay must include it to publish them). */
export const ORDERS_SOURCE = "orders";

/** Payload of `orders.created`: everything a consumer needs to act on a new order without calling orders. */
export interface OrderCreatedPayload {
  orderId: string;
  customerId: string;
  totalCents: number;
  currency: string;
  /** ISO-8601. */
  placedAt: string;
  items: { sku: string; quantity: number; unitPriceCents: number }[];
}

/** Payload of `orders.cancelled`. */
export interface OrderCancelledPayload {
  orderId: string;
  customerId: string;
  /** ISO-8601. */
  cancelledAt: string;
}

/** A customer placed an order (its stock is reserved). */
export const ORDER_CREATED: EventContract<"orders.created", OrderCreatedPayload> = { type: "orders.created", source: ORDERS_SOURCE, version: 1 };

/** An order was cancelled before it was paid (its reservation is to be released, its invoice voided). */
export const ORDER_CANCELLED: EventContract<"orders.cancelled", OrderCancelledPayload> = { type: "orders.cancelled", source: ORDERS_SOURCE, version: 1 };
