import { handleOnce, type EventsLogger, type IntegrationEvent } from "@monograph/events";
import { z } from "zod";
import type { OrdersDb, OrdersRepository } from "./repository.ts";

/** The events orders publishes (its published language; consumers translate them into their own types). */
export const ORDERS_SOURCE = "orders";
export const ORDER_CREATED = "orders.created";
export const ORDER_CANCELLED = "orders.cancelled";

/** Payload of `orders.created`: everything a consumer needs to act on a new order without calling orders. */
export interface OrderCreatedPayload {
  orderId: string;
  customerId: string;
  totalCents: number;
  currency: string;
  /** ISO-8601. */
  placedAt: string;
  items: { sku: string; quantity: number; unitPriceCents: number }[];
}

/** Payload of `orders.cancelled`. */
export interface OrderCancelledPayload {
  orderId: string;
  customerId: string;
  /** ISO-8601. */
  cancelledAt: string;
}

/** The events orders consumes. */
export const INVOICE_PAID = "invoices.paid";

/** orders' own reading of billing's `invoices.paid`: only what orders needs (anti-corruption). */
const invoicePaidPayload = z.object({ orderId: z.uuid() });

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
