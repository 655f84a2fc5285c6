import { DateTimeScalar, type Resolvers } from "@monograph/platform";
import type { BillingContext } from "./index.ts";
import type { InvoiceRecord } from "./repository.ts";
import type { InvoiceConnection } from "./service.ts";

type Args = Record<string, never>;

/** Thin by design: arguments in, one service call, result out. The rules live in service.ts. */
export const resolvers: Resolvers<BillingContext> = {
  DateTime: DateTimeScalar,
  Query: {
    invoice: (_: unknown, args: { id: string }, ctx: BillingContext) => ctx.billing.invoice(ctx.caller, args.id, ctx.loaders),
  },
  Mutation: {
    payInvoice: (_: unknown, args: { invoiceId: string; idempotencyKey?: string | null }, ctx: BillingContext) =>
      ctx.billing.payInvoice(ctx.caller, args.invoiceId, args.idempotencyKey, ctx.request),
  },
  Invoice: {
    __resolveReference: (reference: { id: string }, ctx: BillingContext) => ctx.billing.resolveReference(ctx.caller, reference.id, ctx.loaders),
    // References the gateway resolves in the orders and users subgraphs.
    order: (invoice: InvoiceRecord) => ({ __typename: "Order", id: invoice.orderId }),
    customer: (invoice: InvoiceRecord) => ({ __typename: "User", id: invoice.customerId }),
    payments: (invoice: InvoiceRecord, _args: Args, ctx: BillingContext) => ctx.billing.paymentsOf(invoice, ctx.loaders),
  },
  InvoiceConnection: {
    totalCount: (connection: InvoiceConnection) => connection.totalCount(),
  },
  Order: {
    // billing holds no order data: the reference itself is all Order.invoice needs.
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    invoice: (order: { id: string }, _args: Args, ctx: BillingContext) => ctx.billing.invoiceOfOrder(ctx.caller, order.id, ctx.loaders),
  },
  User: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    invoices: (user: { id: string }, args: { first?: number | null; after?: string | null }, ctx: BillingContext) => ctx.billing.invoicesOf(ctx.caller, user.id, args),
  },
};
