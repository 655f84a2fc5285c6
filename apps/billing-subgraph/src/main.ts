// Runs the billing subgraph alone, as its own HTTP service (hybrid and distributed shapes): it relays its own
// outbox rows to NATS JetStream and handles orders' events from there.
import { NatsJetStreamTransport, OutboxRelay } from "@monograph/events";
import { runSubgraphProcess } from "@monograph/platform";
import { loadBillingEnv } from "./env.ts";
import { BILLING_SOURCE, createBillingSubgraph, registerBillingSubscriptions, SimulatedPaymentProvider } from "./index.ts";

const env = loadBillingEnv();
// The relay exists only once NATS is connected; until then its poll (on start) catches up on anything written.
let relay: OutboxRelay | undefined;

await runSubgraphProcess({
  name: "billing",
  defaultPort: 4004,
  build: ({ db }) => ({
    // No real payment provider is wired yet: every process charges through the simulated one.
    subgraph: createBillingSubgraph({ db: db.as("billing"), payments: new SimulatedPaymentProvider(), outbox: { notify: () => relay?.notify() } }),
    startBackground: async () => {
      const transport = await NatsJetStreamTransport.connect({ servers: env.NATS_URL, prefix: env.EVENTS_PREFIX, connectionName: "billing-subgraph" });
      await registerBillingSubscriptions(transport, { db: db.as("billing") });
      relay = new OutboxRelay({ db: db.as("relay"), transport, sources: [BILLING_SOURCE] });
      relay.start();
      return async () => {
        await relay?.stop();
        await transport.close();
      };
    },
  }),
});
