import { consoleLogger, type EventsLogger, type EventSubscriber } from "@monograph/events";
import { BillingEventHandlers, ORDER_CANCELLED, ORDER_CREATED } from "./events.ts";
import { BillingRepository, type BillingDb } from "./repository.ts";

/** The durable name of billing's subscription (its inbox key and JetStream consumers): never rename it. */
export const BILLING_CONSUMER = "billing";

export interface BillingSubscriptionsDeps {
  db: BillingDb;
  log?: EventsLogger;
}

/** Every event the billing domain reacts to, in one place. */
export async function registerBillingSubscriptions(subscriber: EventSubscriber, deps: BillingSubscriptionsDeps): Promise<void> {
  const handlers = new BillingEventHandlers(deps.db, new BillingRepository(deps.db), BILLING_CONSUMER, deps.log ?? consoleLogger);
  await subscriber.subscribe(BILLING_CONSUMER, [ORDER_CREATED.type, ORDER_CANCELLED.type], async (event) => {
    if (event.type === ORDER_CREATED.type) await handlers.onOrderCreated(event);
    else if (event.type === ORDER_CANCELLED.type) await handlers.onOrderCancelled(event);
  });
}
