import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "@monograph/db";
import { recordEvent, type OutboxNotifier } from "@monograph/events";
import {
  badUserInput,
  childLogger,
  decodeTimeKeyset,
  emptyConnection,
  DomainError,
  encodeTimeKeyset,
  ErrorCode,
  forbidden,
  forRequest,
  isAdmin,
  isUuid,
  notFound,
  pageSize,
  toConnection,
  unauthenticated,
  type Caller,
  type RequestContext,
  type Connection,
} from "@monograph/platform";
import type { UserInvoicesArgs } from "./generated/resolvers-types.ts";
import { BILLING_SOURCE, INVOICE_PAID, type InvoicePaidPayload } from "./events.ts";
import type { BillingLoaders } from "./loaders.ts";
import type { ChargeResult, PaymentProvider } from "./payments.ts";
import type { BillingRepository, InvoiceRecord, PaymentRecord } from "./repository.ts";

const log = childLogger("billing");

export const MAX_IDEMPOTENCY_KEY_LENGTH = 100;

/** A page of invoices. `totalCount` costs a COUNT, so it runs only when a client asks for it. */
export type InvoiceConnection = Connection<InvoiceRecord>;

export interface BillingServiceDeps {
  repository: BillingRepository;
  payments: PaymentProvider;
  /** Woken after each transaction that wrote an event. */
  outbox: OutboxNotifier;
  log?: (message: string, error?: unknown, request?: RequestContext) => void;
}

/** Raised inside the payment transaction when the invoice stopped being OPEN under us. */
class InvoiceNoLongerOpen extends Error {}

/** The billing domain's rules: paying invoices, and who may see which. Invoices are opened and voided by events. */
export class BillingService {
  private readonly repository: BillingRepository;
  private readonly payments: PaymentProvider;
  private readonly outbox: OutboxNotifier;
  private readonly log: (message: string, error?: unknown, request?: RequestContext) => void;

  constructor(deps: BillingServiceDeps) {
    this.repository = deps.repository;
    this.payments = deps.payments;
    this.outbox = deps.outbox;
    this.log = deps.log ?? ((message, error, request) => forRequest(log, request).error(error === undefined ? {} : { err: error }, message));
  }

  /**
   * Pays an OPEN invoice in full. The provider is charged outside any transaction (it is a network call); then
   * the payment, OPEN -> PAID and `invoices.paid` commit together. When that cannot happen (another payment or a
   * void got there first, or the write failed), the charge is refunded, so money is never kept for nothing.
   *
   * A declined charge is recorded as a FAILED payment (so the customer's attempts are visible, and a retry with the
   * same key answers the same) and the invoice stays OPEN.
   */
  async payInvoice(caller: Caller, invoiceId: string, idempotencyKey?: string | null, request?: RequestContext): Promise<InvoiceRecord> {
    if (caller.kind === "anonymous") throw unauthenticated();
    if (caller.kind !== "user") throw forbidden("Only a signed-in user can pay an invoice.");
    const key = validateIdempotencyKey(idempotencyKey);
    const [invoice] = isUuid(invoiceId) ? await this.repository.findInvoicesByIds([invoiceId]) : [];
    if (!invoice || !canSee(caller, invoice)) throw notFound("No such invoice.", { id: invoiceId });

    if (key) {
      const earlier = await this.repository.findPaymentByKey(invoice.id, key);
      if (earlier) return this.replay(earlier);
    }
    if (invoice.status !== "OPEN") throw notOpen(invoice);

    const charge = await this.payments.charge({
      invoiceId: invoice.id,
      customerId: invoice.customerId,
      amountCents: invoice.amountCents,
      currency: invoice.currency,
      // With a client key the provider sees retries of one payment as one charge; without, every call is new.
      idempotencyKey: key ? `invoice:${invoice.id}:${key}` : randomUUID(),
    });
    const payment = { invoiceId: invoice.id, amountCents: invoice.amountCents, currency: invoice.currency, providerRef: charge.providerRef, idempotencyKey: key };

    if (charge.status === "declined") {
      try {
        await this.repository.transaction((tx) => this.repository.insertPayment(tx, { ...payment, status: "FAILED" }));
      } catch (error) {
        const earlier = key && isUniqueViolation(error) ? await this.repository.findPaymentByKey(invoice.id, key) : null;
        if (earlier) return this.replay(earlier);
        throw error;
      }
      throw declined(invoice.id);
    }

    let paid: InvoiceRecord;
    try {
      paid = await this.repository.transaction(async (tx) => {
        await this.repository.insertPayment(tx, { ...payment, status: "SUCCEEDED" });
        const updated = await this.repository.markPaid(tx, invoice.id, new Date());
        if (!updated) throw new InvoiceNoLongerOpen();
        const event: InvoicePaidPayload = {
          invoiceId: updated.id,
          orderId: updated.orderId,
          customerId: updated.customerId,
          amountCents: updated.amountCents,
          currency: updated.currency,
          paidAt: updated.paidAt!.toISOString(),
        };
        await recordEvent(tx, { source: BILLING_SOURCE, type: INVOICE_PAID.type, payload: event, occurredAt: updated.paidAt! });
        return updated;
      });
    } catch (error) {
      return this.afterFailedSettlement(error, charge, invoice, key, request);
    }
    this.outbox.notify();
    return paid;
  }

  /** One invoice: yours, or any for an admin. Anything else reads as "no such invoice", so ids cannot be probed. */
  async invoice(caller: Caller, id: string, loaders: BillingLoaders): Promise<InvoiceRecord | null> {
    if (caller.kind === "anonymous") throw unauthenticated();
    return this.visibleInvoice(caller, id, loaders);
  }

  /** Entity references (Invoice): the same visibility as `invoice`, but never an error. */
  resolveReference(caller: Caller, id: string, loaders: BillingLoaders): Promise<InvoiceRecord | null> {
    return this.visibleInvoice(caller, id, loaders);
  }

  /** `Order.invoice`: null until billing opened it, and for anyone who may not see it. */
  async invoiceOfOrder(caller: Caller, orderId: string, loaders: BillingLoaders): Promise<InvoiceRecord | null> {
    if (caller.kind === "anonymous" || !isUuid(orderId)) return null;
    const invoice = await loaders.invoiceByOrderId.load(orderId);
    return invoice && canSee(caller, invoice) ? invoice : null;
  }

  /** `User.invoices`: your own, or anyone's for an admin; for anyone else an empty connection (see the schema). */
  async invoicesOf(caller: Caller, userId: string, args: UserInvoicesArgs): Promise<InvoiceConnection> {
    const size = pageSize(args.first);
    const allowed = isAdmin(caller) || caller.kind === "service" || (caller.kind === "user" && caller.userId === userId);
    if (!allowed || !isUuid(userId)) return emptyConnection();
    const after = args.after ? decodeTimeKeyset(args.after) : null;
    const rows = await this.repository.listPage(userId, after, size + 1);
    return toConnection(rows, size, (invoice) => encodeTimeKeyset(invoice.issuedAt, invoice.id), () => this.repository.count(userId));
  }

  paymentsOf(invoice: InvoiceRecord, loaders: BillingLoaders): Promise<PaymentRecord[]> {
    return loaders.paymentsByInvoiceId.load(invoice.id);
  }

  private async visibleInvoice(caller: Caller, id: string, loaders: BillingLoaders): Promise<InvoiceRecord | null> {
    if (caller.kind === "anonymous" || !isUuid(id)) return null;
    const invoice = await loaders.invoiceById.load(id);
    return invoice && canSee(caller, invoice) ? invoice : null;
  }

  /** The answer to a retried payInvoice: what the first attempt with this key answered. */
  private async replay(payment: PaymentRecord): Promise<InvoiceRecord> {
    if (payment.status === "FAILED") throw declined(payment.invoiceId);
    const [invoice] = await this.repository.findInvoicesByIds([payment.invoiceId]);
    return invoice!;
  }

  /** The charge succeeded but could not be recorded: answer as the situation deserves, and refund what is not owed. */
  private async afterFailedSettlement(error: unknown, charge: ChargeResult, invoice: InvoiceRecord, key: string | null, request: RequestContext | undefined): Promise<InvoiceRecord> {
    // The same key at the same moment: the provider made it one charge, and the other request recorded it.
    const earlier = key && isUniqueViolation(error) ? await this.repository.findPaymentByKey(invoice.id, key) : null;
    if (earlier && earlier.providerRef === charge.providerRef) return this.replay(earlier);
    await this.refund(charge.providerRef, invoice.id, request);
    if (earlier) return this.replay(earlier);
    if (error instanceof InvoiceNoLongerOpen) {
      const [current] = await this.repository.findInvoicesByIds([invoice.id]);
      throw notOpen(current ?? invoice);
    }
    throw error;
  }

  private async refund(providerRef: string, invoiceId: string, request: RequestContext | undefined): Promise<void> {
    try {
      await this.payments.refund(providerRef);
    } catch (error) {
      this.log(`could not refund charge ${providerRef} for invoice ${invoiceId}; refund it by hand`, error, request);
    }
  }
}

function canSee(caller: Caller, invoice: InvoiceRecord): boolean {
  if (caller.kind === "service" || isAdmin(caller)) return true;
  return caller.kind === "user" && caller.userId === invoice.customerId;
}

function notOpen(invoice: InvoiceRecord): DomainError {
  return new DomainError(ErrorCode.INVALID_STATE_TRANSITION, `This invoice is ${invoice.status} and cannot be paid.`, { from: invoice.status, to: "PAID" });
}

function declined(invoiceId: string): DomainError {
  return new DomainError(ErrorCode.PAYMENT_FAILED, "The payment was declined; nothing was charged. Try again with another payment.", { invoiceId });
}

function validateIdempotencyKey(key: string | null | undefined): string | null {
  if (key === null || key === undefined) return null;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badUserInput(`An idempotency key has 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`, { field: "idempotencyKey" });
  }
  return key;
}
