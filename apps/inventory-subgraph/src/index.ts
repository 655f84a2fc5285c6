/**
 * The inventory subgraph: Product (the catalogue and its stock) and the reservations behind orders.
 *
 * What a composition root needs:
 * - `createInventorySubgraph({ db })` -> SubgraphModule: Query.products / product, the admin mutations, and
 *   Product entity references (batched: one SQL statement per request, whatever the number of references).
 * - `createInventoryReservations({ db })` -> `InventoryReservations`: `reserve(orderId, lines)`,
 *   `release(orderId, tx?)`, `commit(orderId, tx?)`. Orders reaches it through its own InventoryClient
 *   (in the monolith an adapter calling these methods; alone, over the routes below). `tx` lets an event handler
 *   run the change inside the transaction that records the event as handled.
 * - `inventoryInternalRoutes(reservations, internalSecret)`: the service-to-service HTTP endpoints
 *   (POST /internal/reservations/{reserve,release,commit}) for `startSubgraphServer({ extraRoutes })`.
 * - `registerInventorySubscriptions(subscriber, { db, reservations })`: invoices.paid commits and
 *   orders.cancelled releases the order's reservation, once per event.
 * - `createReservationSweeper({ db, reservations, placements })` -> `ReservationSweeper`: releases holds whose order
 *   never appeared, asking orders through an `OrderPlacementsClient` (in-process, or `HttpOrderPlacements`);
 *   docs/adr/0011-order-placement-protocol.md.
 * - `seedInventory(db)` and `SEEDED_PRODUCTS`: the demo catalogue.
 */
import { buildSubgraphFromFile, type SubgraphModule } from "@monograph/platform";
import type { InventoryContext } from "./context.ts";
import { createInventoryLoaders } from "./loaders.ts";
import { InventoryRepository, type InventoryDb } from "./repository.ts";
import { InventoryReservations } from "./reservations.ts";
import { resolvers } from "./resolvers.ts";
import { InventoryService } from "./service.ts";
import { ReservationSweeper, type ReservationSweeperOptions } from "./sweeper.ts";

export { InventoryReservations, type ReservationLineRequest, type ReservationResult, type ReservedLine } from "./reservations.ts";
export { inventoryInternalRoutes, INTERNAL_RESERVATIONS_PATH } from "./internal-routes.ts";
export {
  registerInventorySubscriptions,
  INVENTORY_CONSUMER,
  INVOICE_PAID,
  ORDER_CANCELLED,
  type InventorySubscriptionsDeps,
  type ReservationsForEvents,
} from "./subscriptions.ts";
export { seedInventory, SEEDED_PRODUCTS, type SeededProduct } from "./seed.ts";
export { ReservationSweeper, type OrderPlacementsClient, type ReservationSweeperOptions, type SweepResult } from "./sweeper.ts";
export { HttpOrderPlacements, type HttpOrderPlacementsOptions } from "./order-placements.ts";
export type { InventoryDb, InventoryTx } from "./repository.ts";
export type { InventoryContext } from "./context.ts";

export interface InventorySubgraphDeps {
  db: InventoryDb;
}

export const INVENTORY_SDL = new URL("../src/schema.graphql", import.meta.url);

export function createInventorySubgraph(deps: InventorySubgraphDeps): SubgraphModule<InventoryContext> {
  const repository = new InventoryRepository(deps.db);
  const inventory = new InventoryService(repository);
  return {
    name: "inventory",
    schema: buildSubgraphFromFile(INVENTORY_SDL, resolvers),
    createContext: (caller) => ({ caller, inventory, loaders: createInventoryLoaders(repository) }),
  };
}

/** Inventory's reservations over a database handle; stateless, so one per process is enough. */
export function createInventoryReservations(deps: { db: InventoryDb }): InventoryReservations {
  return new InventoryReservations(new InventoryRepository(deps.db));
}

/** The sweeper of unclaimed reservations over a database handle (start it once the process serves). */
export function createReservationSweeper(
  deps: { db: InventoryDb; reservations: InventoryReservations } & Omit<ReservationSweeperOptions, "repository" | "reservations">,
): ReservationSweeper {
  const { db, ...options } = deps;
  return new ReservationSweeper({ ...options, repository: new InventoryRepository(db) });
}
