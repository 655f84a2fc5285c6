/**
 * What other domains may know of orders: the contracts of the ports it provides. Types only, no runtime code, so a
 * consumer imports it (`import type ... from "@monograph/orders-subgraph/contracts"`) without importing orders
 * (docs/adr/0014-domain-modules-and-registry.md).
 */
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
