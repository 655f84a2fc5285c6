import type { NotificationKind } from "./repository.ts";

/** The subject line of each kind of notification (the email's Subject, the file's `subject`). */
export const SUBJECTS: Record<NotificationKind, string> = {
  ORDER_PLACED: "Order placed",
  INVOICE_PAID: "Payment received",
  ORDER_CANCELLED: "Order cancelled",
};

/** How an order is named to its customer: the first eight characters of its id, as the web client shows it. */
export const orderReference = (orderId: string): string => `#${orderId.slice(0, 8)}`;

/**
 * An amount in the smallest unit of its currency (cents), as a person reads it: `USD 25.00`, `JPY 2500`. The
 * number of decimals is the currency's own (ISO-4217, as Intl knows it).
 */
export function formatMoney(minorUnits: number, currency: string): string {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency, currencyDisplay: "code" });
  const decimals = format.resolvedOptions().maximumFractionDigits ?? 2;
  // Intl separates the code with a no-break space; a plain one reads the same everywhere (mail clients, files).
  return format.format(minorUnits / 10 ** decimals).replace(/\u00a0/g, " ");
}

export const orderPlacedMessage = (orderId: string, totalCents: number, currency: string): string =>
  `Your order ${orderReference(orderId)} has been placed: ${formatMoney(totalCents, currency)}.`;

export const invoicePaidMessage = (orderId: string, amountCents: number, currency: string): string =>
  `We received your payment of ${formatMoney(amountCents, currency)} for order ${orderReference(orderId)}. Thank you!`;

export const orderCancelledMessage = (orderId: string): string => `Your order ${orderReference(orderId)} has been cancelled.`;
