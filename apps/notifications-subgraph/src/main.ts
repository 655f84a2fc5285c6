// Runs the notifications subgraph alone, as its own HTTP service (hybrid and distributed shapes): it handles
// orders' and billing's events from NATS JetStream and delivers the notifications they make. It publishes none.
import { NatsJetStreamTransport } from "@monograph/events";
import { childLogger, runSubgraphProcess } from "@monograph/platform";
import { loadNotificationsProcessEnv } from "./env.ts";
import { createNotificationsDomain, createNotifier } from "./index.ts";

const env = loadNotificationsProcessEnv();
const log = childLogger("notifications");

await runSubgraphProcess({
  name: "notifications",
  defaultPort: 4005,
  build: ({ db }) => {
    const notifier = createNotifier(env.delivery);
    const domain = createNotificationsDomain({ db: db.prisma, notifier });
    if (env.delivery.kind === "none") log.warn(`notifications are kept in the API only, not delivered (${env.delivery.reason}); set SMTP_URL to email them`);
    else log.info({ channel: domain.delivery.channel }, `notifications are delivered by ${domain.delivery.channel}`);
    return {
      subgraph: domain.subgraph,
      startBackground: async () => {
        const transport = await NatsJetStreamTransport.connect({ servers: env.NATS_URL, prefix: env.EVENTS_PREFIX, connectionName: "notifications-subgraph" });
        await domain.subscribe(transport);
        domain.worker.start();
        return async () => {
          // No new events first, then the deliveries in progress and the mail connections.
          await transport.close();
          await domain.worker.stop();
        };
      },
    };
  },
});
