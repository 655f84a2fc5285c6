import { consoleLogger, type EventsLogger, type EventSubscriber } from "@monograph/events";
import { INVOICE_PAID, OrdersEventHandlers } from "./events.ts";
import { OrdersRepository, type OrdersDb } from "./repository.ts";

/** The durable name of orders' subscription (its inbox key and JetStream consumer): never rename it. */
export const ORDERS_CONSUMER = "orders";

export interface OrdersSubscriptionsDeps {
  db: OrdersDb;
  log?: EventsLogger;
}

/** Every event the orders domain reacts to, in one place. */
export async function registerOrdersSubscriptions(subscriber: EventSubscriber, deps: OrdersSubscriptionsDeps): Promise<void> {
  const handlers = new OrdersEventHandlers(deps.db, new OrdersRepository(deps.db), ORDERS_CONSUMER, deps.log ?? consoleLogger);
  await subscriber.subscribe(ORDERS_CONSUMER, [INVOICE_PAID.type], (event) => handlers.onInvoicePaid(event));
}
