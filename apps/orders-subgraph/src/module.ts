// The orders domain as the registry loads it (packages/domains): what any composition root needs to run it.
import type { ReservationsPort } from "@monograph/inventory-subgraph/contracts";
import { defineDomain, needPort, providePort } from "@monograph/platform";
import type { PlacementsPort } from "./contracts.ts";
import { loadOrdersEnv } from "./env.ts";
import { createOrderPlacements, createOrdersSubgraph, HttpInventoryClient, ORDERS_SOURCE, ordersInternalRoutes, registerOrdersSubscriptions, type OrdersDb } from "./index.ts";

export default defineDomain<OrdersDb>({
  name: "orders",
  publishes: [ORDERS_SOURCE],
  provides: [
    // Inventory's sweeper asks whether the orders of unconfirmed reservations exist (docs/adr/0011).
    providePort<PlacementsPort, OrdersDb>("placements", ({ db }) => {
      const placements = createOrderPlacements({ db });
      return { api: placements, routes: (internalSecret) => ordersInternalRoutes(placements, internalSecret) };
    }),
  ],
  needs: [
    needPort<ReservationsPort>("reservations", "inventory", ({ baseUrl, internalSecret, env }) =>
      new HttpInventoryClient({ baseUrl, internalSecret, timeoutMs: loadOrdersEnv(env).INVENTORY_TIMEOUT_MS }),
    ),
  ],
  build: ({ db, env, ports, outbox }) => {
    const settings = loadOrdersEnv(env);
    const crashAt = settings.ORDERS_CRASH_AT;
    return {
      subgraph: createOrdersSubgraph({
        db,
        inventory: ports.get<ReservationsPort>("reservations"),
        outbox,
        // Fault tests only (ORDERS_CRASH_AT): die at once, as on a power cut, at the named point of createOrder.
        onCrashPoint: crashAt ? (point) => void (point === crashAt && process.kill(process.pid, "SIGKILL")) : undefined,
      }),
      subscribe: (subscriber) => registerOrdersSubscriptions(subscriber, { db }),
    };
  },
});
