import type DataLoader from "dataloader";
import { byKeyLoader, groupedByKeyLoader, isUuid } from "@monograph/platform";
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
    invoiceById: byKeyLoader((ids) => repository.findInvoicesByIds(ids), (invoice) => invoice.id, { accepts: isUuid }),
    invoiceByOrderId: byKeyLoader((orderIds) => repository.findInvoicesByOrderIds(orderIds), (invoice) => invoice.orderId, { accepts: isUuid }),
    paymentsByInvoiceId: groupedByKeyLoader((invoiceIds) => repository.findPaymentsByInvoiceIds(invoiceIds), (payment) => payment.invoiceId, { accepts: isUuid }),
  };
}
