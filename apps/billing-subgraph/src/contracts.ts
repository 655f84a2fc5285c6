// The events billing publishes: its published language (docs/adr/0017). Consumers import this file as
// `@monograph/billing-subgraph/contracts`; it imports nothing at run time (types only), so importing it loads none of
// billing's code.
import type { EventContract } from "@monograph/events";

/** The outbox source of billing's events (a relay must include it to publish them). */
export const BILLING_SOURCE = "billing";

/** Payload of `invoices.paid`. */
export interface InvoicePaidPayload {
  invoiceId: string;
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  /** ISO-8601. */
  paidAt: string;
}

/** An invoice was paid in full (the order is PAID, its reserved stock sold). */
export const INVOICE_PAID: EventContract<"invoices.paid", InvoicePaidPayload> = { type: "invoices.paid", source: BILLING_SOURCE, version: 1 };
