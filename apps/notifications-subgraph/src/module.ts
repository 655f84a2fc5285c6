// The notifications domain as the registry loads it (packages/domains): what any composition root needs to run it.
// It publishes nothing and provides no port: it consumes orders' and billing's events and delivers what they make.
import { defineDomain } from "@monograph/platform";
import { loadNotificationSettings } from "./env.ts";
import { createNotificationsDomain, createNotifier, type NotificationsDb } from "./index.ts";

export default defineDomain<NotificationsDb>({
  name: "notifications",
  build: ({ db, env, log }) => {
    const settings = loadNotificationSettings(env);
    const domain = createNotificationsDomain({ db, notifier: createNotifier(settings) });
    if (settings.kind === "none") log.warn(`notifications are kept in the API only, not delivered (${settings.reason}); set SMTP_URL to email them`);
    else log.info({ channel: domain.delivery.channel }, `notifications are delivered by ${domain.delivery.channel}`);
    // The worker stops after the transport (no new events) and before the database: the wiring loop's order.
    return { subgraph: domain.subgraph, subscribe: domain.subscribe, workers: [domain.worker] };
  },
});
