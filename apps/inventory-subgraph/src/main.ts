// Runs the inventory subgraph alone, as its own HTTP service (hybrid and distributed shapes): it serves the
// catalogue, the reservation endpoints orders calls over HTTP, and handles invoices.paid / orders.cancelled from
// NATS JetStream, and sweeps holds whose order never appeared (asking orders at ORDERS_URL). Inventory publishes no
// events, so it runs no outbox relay.
import { NatsJetStreamTransport } from "@monograph/events";
import { runSubgraphProcess } from "@monograph/platform";
import { loadInventoryEnv } from "./env.ts";
import {
  createInventoryReservations,
  createInventorySubgraph,
  createReservationSweeper,
  HttpOrderPlacements,
  inventoryInternalRoutes,
  registerInventorySubscriptions,
  seedInventory,
} from "./index.ts";

const env = loadInventoryEnv();

await runSubgraphProcess({
  name: "inventory",
  defaultPort: 4002,
  build: ({ db, config }) => {
    const reservations = createInventoryReservations({ db: db.as("inventory") });
    return {
      subgraph: createInventorySubgraph({ db: db.as("inventory") }),
      extraRoutes: inventoryInternalRoutes(reservations, config.INTERNAL_SECRET),
      seed: () => seedInventory(db.as("inventory")),
      startBackground: async () => {
        const transport = await NatsJetStreamTransport.connect({ servers: env.NATS_URL, prefix: env.EVENTS_PREFIX, connectionName: "inventory-subgraph" });
        await registerInventorySubscriptions(transport, { db: db.as("inventory"), reservations });
        const sweeper = createReservationSweeper({
          db: db.as("inventory"),
          reservations,
          placements: new HttpOrderPlacements({ baseUrl: env.ORDERS_URL, internalSecret: config.INTERNAL_SECRET }),
          graceMs: env.RESERVATION_GRACE_MS,
          intervalMs: env.RESERVATION_SWEEP_INTERVAL_MS,
        });
        sweeper.start();
        return async () => {
          await sweeper.stop();
          await transport.close();
        };
      },
    };
  },
});
