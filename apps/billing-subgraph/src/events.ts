import { handleOnce, type EventsLogger, type IntegrationEvent } from "@monograph/events";
import { ORDER_CANCELLED, ORDER_CREATED, type OrderCreatedPayload } from "@monograph/orders-subgraph/contracts";
import { z } from "zod";
import type { BillingDb, BillingRepository, OrderSummary } from "./repository.ts";

/** The events billing publishes: declared in contracts.ts, its published language. */
export { BILLING_SOURCE, INVOICE_PAID, type InvoicePaidPayload } from "./contracts.ts";

/** The events billing consumes: orders' contracts, imported without orders' code. */
export { ORDER_CANCELLED, ORDER_CREATED };

// Anti-corruption: billing reads only the fields it needs from orders' events, checks them, and turns them into
// its own types. A new field in orders' payload changes nothing here; a missing one is caught before any write.
const orderCreatedPayload = z.object({
  orderId: z.uuid(),
  customerId: z.uuid(),
  totalCents: z.number().int().nonnegative(),
  currency: z.string().length(3),
  placedAt: z.iso.datetime({ offset: true }),
}) satisfies z.ZodType<Pick<OrderCreatedPayload, "orderId" | "customerId" | "totalCents" | "currency" | "placedAt">>;

const orderCancelledPayload = z.object({ orderId: z.uuid() });

export function toOrderSummary(payload: unknown): OrderSummary | null {
  const parsed = orderCreatedPayload.safeParse(payload);
  if (!parsed.success) return null;
  const { placedAt, ...order } = parsed.data;
  return { ...order, placedAt: new Date(placedAt) };
}

/** Thrown to have an event redelivered later: it arrived before something it depends on. */
export class NotYetApplicable extends Error {
  override name = "NotYetApplicable";
}

/**
 * What billing does when orders' events arrive. Each effect runs once per event (inbox, same transaction). An
 * event that can never be applied (a malformed payload, an invoice already paid) is logged and acknowledged;
 * throwing would redeliver it forever.
 */
export class BillingEventHandlers {
  constructor(
    private readonly db: BillingDb,
    private readonly repository: BillingRepository,
    private readonly consumer: string,
    private readonly log: EventsLogger,
  ) {}

  /** A new order: keep billing's summary of it and open its invoice. */
  async onOrderCreated(event: IntegrationEvent): Promise<void> {
    const order = toOrderSummary(event.payload);
    if (!order) {
      this.log(`${this.consumer}: ignoring ${event.type} ${event.id}: unexpected payload`);
      return;
    }
    await handleOnce(this.db, this.consumer, event, (tx) => this.repository.openInvoice(tx, order));
  }

  /** A cancelled order: its OPEN invoice becomes VOID. */
  async onOrderCancelled(event: IntegrationEvent): Promise<void> {
    const parsed = orderCancelledPayload.safeParse(event.payload);
    if (!parsed.success) {
      this.log(`${this.consumer}: ignoring ${event.type} ${event.id}: unexpected payload`);
      return;
    }
    const { orderId } = parsed.data;
    await handleOnce(this.db, this.consumer, event, async (tx) => {
      const invoice = await this.repository.findInvoiceByOrderIdInTransaction(tx, orderId);
      // Delivery order is not guaranteed: the order's orders.created may still be on its way (or being retried).
      if (!invoice) throw new NotYetApplicable(`no invoice yet for order ${orderId}`);
      if (await this.repository.markVoid(tx, invoice.id, new Date())) return;
      // A payment and a cancel that crossed: the money was taken for a cancelled order. Refunds are not built yet.
      if (invoice.status === "PAID") this.log(`${this.consumer}: invoice ${invoice.id} was paid but its order ${orderId} was cancelled; it needs a refund`);
    });
  }
}
