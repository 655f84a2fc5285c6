import { handleOnce, type EventsLogger, type IntegrationEvent, type PayloadOf, type TransactionRunner } from "@monograph/events";
import { INVOICE_PAID } from "@monograph/billing-subgraph/contracts";
import { ORDER_CANCELLED, ORDER_CREATED } from "@monograph/orders-subgraph/contracts";
import { z } from "zod";
import type { NotificationDelivery } from "./delivery.ts";
import { invoicePaidMessage, orderCancelledMessage, orderPlacedMessage } from "./messages.ts";
import type { NewNotification, NotificationRecord, NotificationsRepository, NotificationsTx } from "./repository.ts";

/**
 * The events notifications consumes: the producers' contracts (orders' and billing's published language,
 * docs/adr/0017), imported without their code. Each payload is still read below, by notifications' own rules.
 */
export { INVOICE_PAID, ORDER_CANCELLED, ORDER_CREATED };
export const CONSUMED_EVENTS = [ORDER_CREATED.type, INVOICE_PAID.type, ORDER_CANCELLED.type] as const;

// Anti-corruption: only the fields a notification needs, checked; a new field in a payload changes nothing here,
// a missing or malformed one is caught before any write. Each check is typed against its contract, so a producer
// that renames or drops a field read here breaks this file's compile.
const currency = z.string().regex(/^[A-Z]{3}$/);
const orderCreatedPayload = z.object({
  orderId: z.uuid(),
  customerId: z.uuid(),
  totalCents: z.number().int().nonnegative(),
  currency,
}) satisfies z.ZodType<Pick<PayloadOf<typeof ORDER_CREATED>, "orderId" | "customerId" | "totalCents" | "currency">>;
const invoicePaidPayload = z.object({
  invoiceId: z.uuid(),
  orderId: z.uuid(),
  customerId: z.uuid(),
  amountCents: z.number().int().nonnegative(),
  currency,
}) satisfies z.ZodType<Pick<PayloadOf<typeof INVOICE_PAID>, "invoiceId" | "orderId" | "customerId" | "amountCents" | "currency">>;
const orderCancelledPayload = z.object({ orderId: z.uuid(), customerId: z.uuid() }) satisfies z.ZodType<Pick<PayloadOf<typeof ORDER_CANCELLED>, "orderId" | "customerId">>;

/** The notification an event makes, or null when the event is not one notifications can read. */
export function toNewNotification(event: IntegrationEvent): NewNotification | null {
  switch (event.type) {
    case ORDER_CREATED.type: {
      const parsed = orderCreatedPayload.safeParse(event.payload);
      if (!parsed.success) return null;
      const { orderId, customerId, totalCents } = parsed.data;
      return { kind: "ORDER_PLACED", customerId, orderId, invoiceId: null, eventId: event.id, message: orderPlacedMessage(orderId, totalCents, parsed.data.currency) };
    }
    case INVOICE_PAID.type: {
      const parsed = invoicePaidPayload.safeParse(event.payload);
      if (!parsed.success) return null;
      const { invoiceId, orderId, customerId, amountCents } = parsed.data;
      return { kind: "INVOICE_PAID", customerId, orderId, invoiceId, eventId: event.id, message: invoicePaidMessage(orderId, amountCents, parsed.data.currency) };
    }
    case ORDER_CANCELLED.type: {
      const parsed = orderCancelledPayload.safeParse(event.payload);
      if (!parsed.success) return null;
      const { orderId, customerId } = parsed.data;
      return { kind: "ORDER_CANCELLED", customerId, orderId, invoiceId: null, eventId: event.id, message: orderCancelledMessage(orderId) };
    }
    default:
      return null;
  }
}

/**
 * What notifications does when an event arrives: keep the customer's notification (once per event: inbox, same
 * transaction), then, after the commit, hand it to the delivery. Delivery does not hold the event up: a slow or
 * failing mail server never delays other consumers nor loses the notification (the delivery retries it). An event
 * notifications cannot read is logged and acknowledged; throwing would redeliver it forever.
 */
export class NotificationsEventHandlers {
  constructor(
    private readonly db: TransactionRunner<NotificationsTx>,
    private readonly repository: NotificationsRepository,
    private readonly delivery: NotificationDelivery,
    private readonly consumer: string,
    private readonly log: EventsLogger,
  ) {}

  async onEvent(event: IntegrationEvent): Promise<void> {
    const notification = toNewNotification(event);
    if (!notification) {
      this.log(`${this.consumer}: ignoring ${event.type} ${event.id}: unexpected payload`);
      return;
    }
    let created: NotificationRecord | undefined;
    await handleOnce(this.db, this.consumer, event, async (tx: NotificationsTx) => {
      created = await this.repository.insert(tx, notification);
    });
    // Only the delivery that made the row delivers it; a redelivered event finds it handled and made nothing.
    if (created) this.delivery.deliverSoon(created.id);
  }
}
