import { consoleLogger, type EventsLogger, type EventSubscriber } from "@monograph/events";
import type { NotificationDelivery } from "./delivery.ts";
import { CONSUMED_EVENTS, NotificationsEventHandlers } from "./events.ts";
import { NotificationsRepository, type NotificationsDb } from "./repository.ts";

/** The durable name of notifications' subscription (its inbox key and JetStream consumers): never rename it. */
export const NOTIFICATIONS_CONSUMER = "notifications";

export interface NotificationsSubscriptionsDeps {
  db: NotificationsDb;
  /** Delivers each notification once its row is committed (see createNotificationDelivery). */
  delivery: NotificationDelivery;
  log?: EventsLogger;
}

/** Every event the notifications domain reacts to, in one place: orders.created, invoices.paid, orders.cancelled. */
export async function registerNotificationsSubscriptions(subscriber: EventSubscriber, deps: NotificationsSubscriptionsDeps): Promise<void> {
  const handlers = new NotificationsEventHandlers(deps.db, new NotificationsRepository(deps.db), deps.delivery, NOTIFICATIONS_CONSUMER, deps.log ?? consoleLogger);
  await subscriber.subscribe(NOTIFICATIONS_CONSUMER, CONSUMED_EVENTS, (event) => handlers.onEvent(event));
}
