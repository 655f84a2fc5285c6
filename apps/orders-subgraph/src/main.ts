// Runs the orders subgraph alone, as its own HTTP service (hybrid and distributed shapes): it reserves stock over
// HTTP, relays its own outbox rows to NATS JetStream, and handles billing's events from there.
import { NatsJetStreamTransport, OutboxRelay } from "@monograph/events";
import { runSubgraphProcess } from "@monograph/platform";
import { loadOrdersEnv } from "./env.ts";
import { createOrderPlacements, createOrdersSubgraph, HttpInventoryClient, ORDERS_SOURCE, ordersInternalRoutes, registerOrdersSubscriptions } from "./index.ts";

const env = loadOrdersEnv();
// The relay exists only once NATS is connected; until then its poll (on start) catches up on anything written.
let relay: OutboxRelay | undefined;

await runSubgraphProcess({
  name: "orders",
  defaultPort: 4003,
  build: ({ db, config }) => ({
    subgraph: createOrdersSubgraph({
      db: db.as("orders"),
      inventory: new HttpInventoryClient({ baseUrl: env.INVENTORY_URL, internalSecret: config.INTERNAL_SECRET, timeoutMs: env.INVENTORY_TIMEOUT_MS }),
      outbox: { notify: () => relay?.notify() },
      // Fault tests only (ORDERS_CRASH_AT): die at once, as on a power cut, at the named point of createOrder.
      onCrashPoint: env.ORDERS_CRASH_AT ? (point) => void (point === env.ORDERS_CRASH_AT && process.kill(process.pid, "SIGKILL")) : undefined,
    }),
    // Inventory's sweeper asks here whether the orders of unconfirmed reservations exist.
    extraRoutes: ordersInternalRoutes(createOrderPlacements({ db: db.as("orders") }), config.INTERNAL_SECRET),
    startBackground: async () => {
      const transport = await NatsJetStreamTransport.connect({ servers: env.NATS_URL, prefix: env.EVENTS_PREFIX, connectionName: "orders-subgraph" });
      await registerOrdersSubscriptions(transport, { db: db.as("orders") });
      relay = new OutboxRelay({ db: db.as("relay"), transport, sources: [ORDERS_SOURCE] });
      relay.start();
      return async () => {
        await relay?.stop();
        await transport.close();
      };
    },
  }),
});
