/**
 * What other domains may know of inventory: the contracts of the ports it provides. Types only, no runtime code,
 * so a consumer imports it (`import type ... from "@monograph/inventory-subgraph/contracts"`) without importing
 * inventory (docs/adr/0014-domain-modules-and-registry.md).
 */
import type { PortContract, RequestContext } from "@monograph/platform";

/** One line to reserve. */
export interface ReservationRequestLine {
  sku: string;
  quantity: number;
}

/** A reserved line, with the product's name and price at the moment of the reservation. */
export interface ReservedLine {
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  currency: string;
}

/**
 * Stock held for orders, as orders calls it: in-process (both domains in one process) or over inventory's internal
 * routes (POST /internal/reservations/{reserve,release,commit}).
 *
 * Every method is idempotent per orderId, and `reserve` is all-or-nothing: when any line lacks stock nothing is
 * reserved and it throws a DomainError OUT_OF_STOCK whose `extensions.sku` names the line. Other expected failures
 * (an unknown SKU) are DomainErrors too; an unreachable inventory is SERVICE_UNAVAILABLE.
 */
export interface Reservations {
  /** `request`: the client request being served, whose id a call over HTTP carries (and its lines, when it fails). */
  reserve(orderId: string, lines: readonly ReservationRequestLine[], request?: RequestContext): Promise<{ lines: ReservedLine[] }>;
  /** Gives the order's reserved stock back. No-op when nothing is held for it. */
  release(orderId: string, request?: RequestContext): Promise<void>;
  /** Turns the order's reservation into a sale (the stock leaves for good). */
  commit(orderId: string, request?: RequestContext): Promise<void>;
}

/** The port inventory provides and orders needs. */
export type ReservationsPort = PortContract<"reservations", Reservations>;
