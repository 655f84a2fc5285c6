// Runs the billing subgraph alone, as its own HTTP service (hybrid and distributed shapes): it relays its own
// outbox rows to NATS JetStream and handles orders' events from there.
import { EventsRetention, NatsJetStreamTransport, OutboxRelay } from "@monograph/events";
import { eventsSettingsFrom, runSubgraphProcess } from "@monograph/platform";
import { loadBillingEnv } from "./env.ts";
import { BILLING_CONSUMER, BILLING_SOURCE, createBillingSubgraph, registerBillingSubscriptions, SimulatedPaymentProvider } from "./index.ts";

const env = loadBillingEnv();
// The relay exists only once NATS is connected; until then its poll (on start) catches up on anything written.
let relay: OutboxRelay | undefined;

await runSubgraphProcess({
  name: "billing",
  defaultPort: 4004,
  build: ({ db, config }) => ({
    // No real payment provider is wired yet: every process charges through the simulated one.
    subgraph: createBillingSubgraph({ db: db.prisma, payments: new SimulatedPaymentProvider(), outbox: { notify: () => relay?.notify() } }),
    startBackground: async () => {
      const transport = await NatsJetStreamTransport.connect({ servers: env.NATS_URL, prefix: env.EVENTS_PREFIX, connectionName: "billing-subgraph" });
      await registerBillingSubscriptions(transport, { db: db.prisma });
      const events = eventsSettingsFrom(config);
      relay = new OutboxRelay({ db: db.prisma, transport, sources: [BILLING_SOURCE], claimLeaseMs: events.claimLeaseMs });
      relay.start();
      // Keeps this domain's delivered outbox rows and its inbox bounded (replicas split the sweep).
      const retention = new EventsRetention({ db: db.prisma, sources: [BILLING_SOURCE], consumers: [BILLING_CONSUMER], ...events.retention });
      retention.start();
      return async () => {
        await retention.stop();
        await relay?.stop();
        await transport.close();
      };
    },
  }),
});
