/**
 * The notifications subgraph: Notification, User.notifications; markNotificationRead. It keeps each customer's
 * notifications, made from orders' and billing's events, and delivers each through a `Notifier`.
 *
 * What a composition root needs:
 * - `createNotificationsDomain({ db, notifier })`: everything at once, built for one process: `subgraph`,
 *   `subscribe(subscriber)` (orders.created, invoices.paid, orders.cancelled) and `worker` (background work:
 *   `start()` runs the retry pass, `stop()` waits for deliveries in progress and closes the notifier). Or the pieces:
 *   `createNotificationDelivery`, `createNotificationsSubgraph({ db })`, `registerNotificationsSubscriptions`.
 * - `createNotifier(loadNotificationSettings(env))`: the notifier the environment asks for (SMTP_URL,
 *   NOTIFICATIONS_DIR, NOTIFICATIONS_DELIVERY...; see the README), or null for in-app only.
 * - It publishes no events (no outbox source) and has no demo data (its notifications come from events).
 */
import type { EventSubscriber } from "@monograph/events";
import { buildSubgraphFromFile, type SubgraphModule } from "@monograph/platform";
import { NotificationDelivery, type NotificationDeliveryOptions } from "./delivery.ts";
import { createNotificationsLoaders } from "./loaders.ts";
import type { Notifier } from "./notifier.ts";
import { NotificationsRepository, type NotificationsDb } from "./repository.ts";
import { resolvers } from "./resolvers.ts";
import { NotificationsService } from "./service.ts";
import { registerNotificationsSubscriptions } from "./subscriptions.ts";

export { deliveryMetrics, NotificationDelivery, type NotificationDeliveryOptions } from "./delivery.ts";
export { loadNotificationSettings, notificationSettingsSchema, type DeliverySettings } from "./env.ts";
export { CONSUMED_EVENTS, INVOICE_PAID, ORDER_CANCELLED, ORDER_CREATED } from "./events.ts";
export {
  createNotifier,
  FileNotifier,
  SmtpNotifier,
  TemplateRecipientDirectory,
  type Notifier,
  type OutgoingNotification,
  type RecipientDirectory,
  type SmtpNotifierOptions,
} from "./notifier.ts";
export { NOTIFICATIONS_CONSUMER, registerNotificationsSubscriptions, type NotificationsSubscriptionsDeps } from "./subscriptions.ts";
export type { NotificationKind, NotificationsDb } from "./repository.ts";

export interface NotificationsSubgraphDeps {
  db: NotificationsDb;
}

import type { NotificationsContext } from "./context.ts";
export type { NotificationsContext };

export const NOTIFICATIONS_SDL = new URL("../src/schema.graphql", import.meta.url);

export function createNotificationsSubgraph(deps: NotificationsSubgraphDeps): SubgraphModule<NotificationsContext> {
  const repository = new NotificationsRepository(deps.db);
  const notifications = new NotificationsService(repository);
  return {
    name: "notifications",
    schema: buildSubgraphFromFile(NOTIFICATIONS_SDL, resolvers),
    createContext: (caller) => ({ caller, notifications, loaders: createNotificationsLoaders(repository) }),
  };
}

/** The delivery of one process's notifications through `notifier` (null: in-app only, nothing delivered). */
export function createNotificationDelivery(deps: { db: NotificationsDb; notifier: Notifier | null } & Omit<NotificationDeliveryOptions, "repository" | "notifier">): NotificationDelivery {
  const { db, ...options } = deps;
  return new NotificationDelivery({ ...options, repository: new NotificationsRepository(db) });
}

export interface NotificationsDomain {
  subgraph: SubgraphModule<NotificationsContext>;
  /** Registers the event handlers (once per process). */
  subscribe(subscriber: EventSubscriber): Promise<void>;
  /** The delivery (its retry pass, `idle()` for tests). */
  delivery: NotificationDelivery;
  /**
   * The process's background worker: `start()` once the process serves (the retry pass); `stop()` waits for the
   * deliveries in progress, then closes the notifier. Stop it after the transport and before the database.
   */
  worker: { readonly name: string; start(): void; stop(): Promise<void> };
}

/** The notifications domain built for one process. */
export function createNotificationsDomain(deps: { db: NotificationsDb; notifier: Notifier | null } & Omit<NotificationDeliveryOptions, "repository" | "notifier">): NotificationsDomain {
  const delivery = createNotificationDelivery(deps);
  return {
    subgraph: createNotificationsSubgraph({ db: deps.db }),
    subscribe: (subscriber) => registerNotificationsSubscriptions(subscriber, { db: deps.db, delivery }),
    delivery,
    worker: {
      name: delivery.name,
      start: () => delivery.start(),
      stop: async () => {
        await delivery.stop();
        await deps.notifier?.close?.();
      },
    },
  };
}
