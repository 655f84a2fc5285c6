// Runs the inventory subgraph alone, as its own HTTP service (hybrid and distributed shapes): it serves the
// catalogue, the reservation endpoints orders calls over HTTP, and handles invoices.paid / orders.cancelled from
// NATS JetStream, and sweeps holds whose order never appeared (asking orders at ORDERS_URL). Inventory publishes no
// events, so it runs no outbox relay.
import { EventsRetention, NatsJetStreamTransport } from "@monograph/events";
import { eventsSettingsFrom, runSubgraphProcess } from "@monograph/platform";
import { loadInventoryEnv } from "./env.ts";
import {
  createInventoryReservations,
  createInventorySubgraph,
  createReservationSweeper,
  HttpOrderPlacements,
  INVENTORY_CONSUMER,
  inventoryInternalRoutes,
  registerInventorySubscriptions,
  seedInventory,
} from "./index.ts";

const env = loadInventoryEnv();

await runSubgraphProcess({
  name: "inventory",
  defaultPort: 4002,
  build: ({ db, config }) => {
    const reservations = createInventoryReservations({ db: db.prisma });
    return {
      subgraph: createInventorySubgraph({ db: db.prisma }),
      extraRoutes: inventoryInternalRoutes(reservations, config.INTERNAL_SECRET),
      seed: () => seedInventory(db.prisma),
      startBackground: async () => {
        const transport = await NatsJetStreamTransport.connect({ servers: env.NATS_URL, prefix: env.EVENTS_PREFIX, connectionName: "inventory-subgraph" });
        await registerInventorySubscriptions(transport, { db: db.prisma, reservations });
        const sweeper = createReservationSweeper({
          db: db.prisma,
          reservations,
          placements: new HttpOrderPlacements({ baseUrl: env.ORDERS_URL, internalSecret: config.INTERNAL_SECRET }),
          graceMs: env.RESERVATION_GRACE_MS,
          intervalMs: env.RESERVATION_SWEEP_INTERVAL_MS,
        });
        sweeper.start();
        // Keeps inventory's inbox bounded (replicas split the sweep).
        const retention = new EventsRetention({ db: db.prisma, consumers: [INVENTORY_CONSUMER], ...eventsSettingsFrom(config).retention });
        retention.start();
        return async () => {
          await retention.stop();
          await sweeper.stop();
          await transport.close();
        };
      },
    };
  },
});
