/**
 * The billing subgraph: Invoice, Payment, Order.invoice, User.invoices; payInvoice.
 *
 * What a composition root needs:
 * - `createBillingSubgraph({ db, payments, outbox? })` -> SubgraphModule. `payments` is a `PaymentProvider`
 *   (`SimulatedPaymentProvider` outside production). `outbox` is woken after each transaction that wrote an event
 *   (pass the `OutboxRelay`); without it the relay's poll finds them.
 * - `registerBillingSubscriptions(subscriber, { db })`: billing's event handlers (orders.created -> open an
 *   invoice, orders.cancelled -> void it).
 * - `BILLING_SOURCE` ("billing"): the outbox source a relay must include to publish billing's events.
 */
import { NO_OUTBOX_NOTIFIER, type OutboxNotifier } from "@monograph/events";
import { buildSubgraphFromFile, type RequestContext, type SubgraphModule } from "@monograph/platform";
import type { BillingContext } from "./context.ts";
import { createBillingLoaders } from "./loaders.ts";
import type { PaymentProvider } from "./payments.ts";
import { BillingRepository, type BillingDb } from "./repository.ts";
import { resolvers } from "./resolvers.ts";
import { BillingService } from "./service.ts";

export { SimulatedPaymentProvider, type ChargeRequest, type ChargeResult, type PaymentProvider, type SimulatedPaymentProviderOptions } from "./payments.ts";
export { registerBillingSubscriptions, BILLING_CONSUMER, type BillingSubscriptionsDeps } from "./subscriptions.ts";
export { BILLING_SOURCE, INVOICE_PAID, ORDER_CREATED, ORDER_CANCELLED, type InvoicePaidPayload } from "./events.ts";
export type { BillingDb } from "./repository.ts";
export type { BillingContext } from "./context.ts";

export interface BillingSubgraphDeps {
  db: BillingDb;
  payments: PaymentProvider;
  outbox?: OutboxNotifier;
  /** Where failures nobody can be told about go (a refund that failed). Default: the process's logger. */
  log?: (message: string, error?: unknown, request?: RequestContext) => void;
}

export const BILLING_SDL = new URL("../src/schema.graphql", import.meta.url);

export function createBillingSubgraph(deps: BillingSubgraphDeps): SubgraphModule<BillingContext> {
  const repository = new BillingRepository(deps.db);
  const billing = new BillingService({ repository, payments: deps.payments, outbox: deps.outbox ?? NO_OUTBOX_NOTIFIER, log: deps.log });
  return {
    name: "billing",
    schema: buildSubgraphFromFile(BILLING_SDL, resolvers),
    createContext: (caller) => ({ caller, billing, loaders: createBillingLoaders(repository) }),
  };
}
