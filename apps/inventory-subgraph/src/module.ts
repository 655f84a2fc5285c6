// The inventory domain as the registry loads it (packages/domains): what any composition root needs to run it.
// Inventory publishes no events, so its process runs no outbox relay.
import type { PlacementsPort } from "@monograph/orders-subgraph/contracts";
import { defineDomain, needPort, providePort } from "@monograph/platform";
import type { ReservationsPort } from "./contracts.ts";
import { loadInventoryEnv } from "./env.ts";
import {
  createInventoryReservations,
  createInventorySubgraph,
  createReservationSweeper,
  HttpOrderPlacements,
  inventoryInternalRoutes,
  registerInventorySubscriptions,
  seedInventory,
  type InventoryDb,
} from "./index.ts";

export default defineDomain<InventoryDb>({
  name: "inventory",
  seed: (db) => seedInventory(db),
  provides: [
    // Orders reserves, releases and commits stock through it.
    providePort<ReservationsPort, InventoryDb>("reservations", ({ db }) => {
      const reservations = createInventoryReservations({ db });
      return {
        // Only the contract's methods: orders never passes inventory's own transaction.
        api: {
          reserve: (orderId, lines) => reservations.reserve(orderId, lines),
          release: (orderId) => reservations.release(orderId),
          commit: (orderId) => reservations.commit(orderId),
        },
        routes: (internalSecret) => inventoryInternalRoutes(reservations, internalSecret),
      };
    }),
  ],
  needs: [needPort<PlacementsPort>("placements", "orders", ({ baseUrl, internalSecret }) => new HttpOrderPlacements({ baseUrl, internalSecret }))],
  build: ({ db, env, ports }) => {
    const settings = loadInventoryEnv(env);
    // Stateless over the database handle: the event handlers' and the sweeper's, with inventory's own transactions.
    const reservations = createInventoryReservations({ db });
    const sweeper = createReservationSweeper({
      db,
      reservations,
      placements: ports.get<PlacementsPort>("placements"),
      graceMs: settings.RESERVATION_GRACE_MS,
      intervalMs: settings.RESERVATION_SWEEP_INTERVAL_MS,
    });
    return {
      subgraph: createInventorySubgraph({ db }),
      subscribe: (subscriber) => registerInventorySubscriptions(subscriber, { db, reservations }),
      workers: [{ name: "reservation sweeper", start: () => sweeper.start(), stop: () => sweeper.stop() }],
    };
  },
});
