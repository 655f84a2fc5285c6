import { consoleLogger, handleOnce, type EventsLogger, type EventSubscriber, type IntegrationEvent } from "@monograph/events";
import { DomainError } from "@monograph/platform";
import { INVOICE_PAID } from "@monograph/billing-subgraph/contracts";
import { ORDER_CANCELLED } from "@monograph/orders-subgraph/contracts";
import { z } from "zod";
import type { InventoryDb, InventoryTx } from "./repository.ts";

/** The durable name of inventory's subscription (its inbox key and JetStream consumers): never rename it. */
export const INVENTORY_CONSUMER = "inventory";

/** The events inventory reacts to (their producers' contracts): a paid invoice sells the reserved stock, a cancelled order gives it back. */
export { INVOICE_PAID, ORDER_CANCELLED };

/**
 * The part of inventory's reservations API these handlers use. Both calls are idempotent per orderId and run
 * in the transaction they are given, so the stock change and the inbox entry commit together.
 */
export interface ReservationsForEvents {
  commit(orderId: string, tx?: InventoryTx): Promise<unknown>;
  release(orderId: string, tx?: InventoryTx): Promise<unknown>;
}

export interface InventorySubscriptionsDeps {
  db: InventoryDb;
  reservations: ReservationsForEvents;
  log?: EventsLogger;
}

// Anti-corruption: inventory reads only the order id from other domains' events.
const orderReference = z.object({ orderId: z.uuid() });

/**
 * Every event the inventory domain reacts to, in one place. An event that can never be applied (a malformed
 * payload, or a rule inventory refuses with a DomainError, such as committing a reservation already released
 * when a payment and a cancellation crossed) is logged and acknowledged; any other failure is retried.
 */
export async function registerInventorySubscriptions(subscriber: EventSubscriber, deps: InventorySubscriptionsDeps): Promise<void> {
  const log = deps.log ?? consoleLogger;
  await subscriber.subscribe(INVENTORY_CONSUMER, [INVOICE_PAID.type, ORDER_CANCELLED.type], async (event: IntegrationEvent) => {
    const parsed = orderReference.safeParse(event.payload);
    if (!parsed.success) {
      log(`${INVENTORY_CONSUMER}: ignoring ${event.type} ${event.id}: unexpected payload`);
      return;
    }
    const { orderId } = parsed.data;
    try {
      await handleOnce(deps.db, INVENTORY_CONSUMER, event, async (tx) => {
        if (event.type === INVOICE_PAID.type) await deps.reservations.commit(orderId, tx);
        else await deps.reservations.release(orderId, tx);
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      log(`${INVENTORY_CONSUMER}: cannot apply ${event.type} ${event.id} to the reservation of order ${orderId}: ${error.message}`);
    }
  });
}
