import { newestFirst, olderThan, type DomainDb, type DomainTx, type Invoice, type Payment, type TimeKeyset } from "@monograph/db";

/** billing's own tables. */
export type BillingModels = "orderSummary" | "invoice" | "payment";
/**
 * The billing domain sees its own tables, plus transactions over them in which it also writes its outbox events and
 * inbox entries. Touching another domain's model does not compile.
 */
export type BillingDb = DomainDb<BillingModels, "outboxEvent" | "processedEvent">;
/** Inside one of billing's transactions: its tables, the outbox and the inbox. */
export type BillingTx = DomainTx<BillingModels | "outboxEvent" | "processedEvent">;

export type InvoiceRecord = Invoice;
export type PaymentRecord = Payment;

/** billing's own view of a placed order (anti-corruption: never an orders type). */
export interface OrderSummary {
  orderId: string;
  customerId: string;
  totalCents: number;
  currency: string;
  placedAt: Date;
}

export interface NewPayment {
  invoiceId: string;
  amountCents: number;
  currency: string;
  status: "SUCCEEDED" | "FAILED";
  providerRef: string;
  idempotencyKey: string | null;
}

export class BillingRepository {
  constructor(private readonly db: BillingDb) {}

  transaction<T>(work: (tx: BillingTx) => Promise<T>): Promise<T> {
    return this.db.$transaction((tx) => work(tx));
  }

  findInvoicesByIds(ids: readonly string[]): Promise<InvoiceRecord[]> {
    return this.db.invoice.findMany({ where: { id: { in: [...ids] } } });
  }

  findInvoicesByOrderIds(orderIds: readonly string[]): Promise<InvoiceRecord[]> {
    return this.db.invoice.findMany({ where: { orderId: { in: [...orderIds] } } });
  }

  /** The payments of many invoices in one statement (the DataLoader's batch), oldest first. */
  findPaymentsByInvoiceIds(invoiceIds: readonly string[]): Promise<PaymentRecord[]> {
    return this.db.payment.findMany({ where: { invoiceId: { in: [...invoiceIds] } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  }

  findPaymentByKey(invoiceId: string, idempotencyKey: string): Promise<PaymentRecord | null> {
    return this.db.payment.findUnique({ where: { invoiceId_idempotencyKey: { invoiceId, idempotencyKey } } });
  }

  /** Newest first; keyset pagination on (issuedAt, id). */
  listPage(customerId: string, after: TimeKeyset | null, take: number): Promise<InvoiceRecord[]> {
    return this.db.invoice.findMany({ where: { customerId, ...olderThan("issuedAt", after) }, orderBy: newestFirst("issuedAt"), take });
  }

  count(customerId: string): Promise<number> {
    return this.db.invoice.count({ where: { customerId } });
  }

  insertPayment(db: BillingTx | BillingDb, payment: NewPayment): Promise<PaymentRecord> {
    return db.payment.create({ data: payment });
  }

  /** The order's summary and its OPEN invoice; both are kept when they already exist (a replayed event). */
  async openInvoice(tx: BillingTx, order: OrderSummary): Promise<void> {
    await tx.orderSummary.createMany({ data: [order], skipDuplicates: true });
    await tx.invoice.createMany({
      data: [{ orderId: order.orderId, customerId: order.customerId, amountCents: order.totalCents, currency: order.currency }],
      skipDuplicates: true,
    });
  }

  /** OPEN -> PAID only if it is still OPEN; null when it was not (another payment or a void won). */
  async markPaid(tx: BillingTx, invoiceId: string, paidAt: Date): Promise<InvoiceRecord | null> {
    const { count } = await tx.invoice.updateMany({ where: { id: invoiceId, status: "OPEN" }, data: { status: "PAID", paidAt } });
    return count === 1 ? tx.invoice.findUnique({ where: { id: invoiceId } }) : null;
  }

  /** OPEN -> VOID only if it is still OPEN; returns whether it moved. */
  async markVoid(tx: BillingTx, invoiceId: string, voidedAt: Date): Promise<boolean> {
    const { count } = await tx.invoice.updateMany({ where: { id: invoiceId, status: "OPEN" }, data: { status: "VOID", voidedAt } });
    return count === 1;
  }

  findInvoiceByOrderIdInTransaction(tx: BillingTx, orderId: string): Promise<InvoiceRecord | null> {
    return tx.invoice.findUnique({ where: { orderId } });
  }

  findInvoiceInTransaction(tx: BillingTx, id: string): Promise<InvoiceRecord | null> {
    return tx.invoice.findUnique({ where: { id } });
  }
}
