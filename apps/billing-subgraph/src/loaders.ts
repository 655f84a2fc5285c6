import DataLoader from "dataloader";
import type { BillingRepository, InvoiceRecord, PaymentRecord } from "./repository.ts";

export interface BillingLoaders {
  /** Raw rows: the service decides who may see them. */
  invoiceById: DataLoader<string, InvoiceRecord | null>;
  /** `Order.invoice` for every order of a request, in one statement. */
  invoiceByOrderId: DataLoader<string, InvoiceRecord | null>;
  /** The payments of every invoice of a request, in one statement. */
  paymentsByInvoiceId: DataLoader<string, PaymentRecord[]>;
}

/** Created per request, so nothing cached outlives the request (or the caller) that loaded it. */
export function createBillingLoaders(repository: BillingRepository): BillingLoaders {
  return {
    invoiceById: new DataLoader(async (ids) => {
      const valid = ids.filter(isUuid);
      const invoices = valid.length > 0 ? await repository.findInvoicesByIds(valid) : [];
      const byId = new Map(invoices.map((invoice) => [invoice.id, invoice]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    invoiceByOrderId: new DataLoader(async (orderIds) => {
      const valid = orderIds.filter(isUuid);
      const invoices = valid.length > 0 ? await repository.findInvoicesByOrderIds(valid) : [];
      const byOrder = new Map(invoices.map((invoice) => [invoice.orderId, invoice]));
      return orderIds.map((id) => byOrder.get(id) ?? null);
    }),
    paymentsByInvoiceId: new DataLoader(async (invoiceIds) => {
      const valid = invoiceIds.filter(isUuid);
      const payments = valid.length > 0 ? await repository.findPaymentsByInvoiceIds(valid) : [];
      const byInvoice = new Map<string, PaymentRecord[]>();
      for (const payment of payments) {
        const list = byInvoice.get(payment.invoiceId);
        if (list) list.push(payment);
        else byInvoice.set(payment.invoiceId, [payment]);
      }
      return invoiceIds.map((id) => byInvoice.get(id) ?? []);
    }),
  };
}

// Only UUIDs can match; anything else (a forged entity reference) is simply not found, not a SQL error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);
