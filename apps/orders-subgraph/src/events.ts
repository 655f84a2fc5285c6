import { INVOICE_PAID } from "@monograph/billing-subgraph/contracts";
import { handleOnce, type EventsLogger, type IntegrationEvent, type PayloadOf } from "@monograph/events";
import { z } from "zod";
import type { OrdersDb, OrdersRepository } from "./repository.ts";

/** The events orders publishes: declared in contracts.ts, its published language. */
export { ORDER_CANCELLED, ORDER_CREATED, ORDERS_SOURCE, type OrderCancelledPayload, type OrderCreatedPayload } from "./contracts.ts";

/** The events orders consumes: billing's contract, imported without billing's code. */
export { INVOICE_PAID };

/** orders' own reading of billing's `invoices.paid`: only what orders needs (anti-corruption), checked against the contract. */
const invoicePaidPayload = z.object({ orderId: z.uuid() }) satisfies z.ZodType<Pick<PayloadOf<typeof INVOICE_PAID>, "orderId">>;

/**
 * What orders does when other domains' events arrive. Each effect runs once per event (inbox, same transaction).
 * An event that can never be applied (malformed, an unknown order, an order already cancelled) is logged and
 * acknowledged; throwing would redeliver it forever.
 */
export class OrdersEventHandlers {
  constructor(
    private readonly db: OrdersDb,
    private readonly repository: OrdersRepository,
    private readonly consumer: string,
    private readonly log: EventsLogger,
  ) {}

  /** The invoice of an order was paid: PENDING_PAYMENT -> PAID. */
  async onInvoicePaid(event: IntegrationEvent): Promise<void> {
    const parsed = invoicePaidPayload.safeParse(event.payload);
    if (!parsed.success) {
      this.log(`${this.consumer}: ignoring ${event.type} ${event.id}: unexpected payload`);
      return;
    }
    const { orderId } = parsed.data;
    await handleOnce(this.db, this.consumer, event, async (tx) => {
      if (await this.repository.transition(tx, orderId, "PENDING_PAYMENT", "PAID")) return;
      const order = await this.repository.findInTransaction(tx, orderId);
      if (!order) this.log(`${this.consumer}: ${event.type} ${event.id} names unknown order ${orderId}`);
      // A cancel and a payment that crossed: the money was taken for a cancelled order. Refunds are not built yet.
      else if (order.status === "CANCELLED") this.log(`${this.consumer}: order ${orderId} was paid after it was cancelled; it needs a refund`);
    });
  }
}
