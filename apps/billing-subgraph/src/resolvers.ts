import { DateTimeScalar } from "@monograph/platform";
import type { Resolvers } from "./generated/resolvers-types.ts";

/**
 * Thin by design: arguments in, one service call, result out. The rules live in service.ts. Argument, parent and
 * result types come from src/schema.graphql (src/generated/resolvers-types.ts, `npm run codegen`).
 */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    invoice: (_, args, ctx) => ctx.billing.invoice(ctx.caller, args.id, ctx.loaders),
  },
  Mutation: {
    payInvoice: (_, args, ctx) => ctx.billing.payInvoice(ctx.caller, args.invoiceId, args.idempotencyKey, ctx.request),
  },
  Invoice: {
    __resolveReference: (reference, ctx) => ctx.billing.resolveReference(ctx.caller, reference.id, ctx.loaders),
    // References the gateway resolves in the orders and users subgraphs.
    order: (invoice) => ({ __typename: "Order", id: invoice.orderId }),
    customer: (invoice) => ({ __typename: "User", id: invoice.customerId }),
    payments: (invoice, _args, ctx) => ctx.billing.paymentsOf(invoice, ctx.loaders),
  },
  InvoiceConnection: {
    totalCount: (connection) => connection.totalCount(),
  },
  Order: {
    // billing holds no order data: the reference itself is all Order.invoice needs.
    __resolveReference: (reference) => ({ id: reference.id }),
    invoice: (order, _args, ctx) => ctx.billing.invoiceOfOrder(ctx.caller, order.id, ctx.loaders),
  },
  User: {
    __resolveReference: (reference) => ({ id: reference.id }),
    invoices: (user, args, ctx) => ctx.billing.invoicesOf(ctx.caller, user.id, args),
  },
};
