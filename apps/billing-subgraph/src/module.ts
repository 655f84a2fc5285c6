// The billing domain as the registry loads it (packages/domains): what any composition root needs to run it.
import { defineDomain } from "@monograph/platform";
import { BILLING_SOURCE, createBillingSubgraph, registerBillingSubscriptions, SimulatedPaymentProvider, type BillingDb } from "./index.ts";

export default defineDomain<BillingDb>({
  name: "billing",
  publishes: [BILLING_SOURCE],
  build: ({ db, outbox }) => ({
    // No real payment provider is wired yet: every process charges through the simulated one.
    subgraph: createBillingSubgraph({ db, payments: new SimulatedPaymentProvider(), outbox }),
    subscribe: (subscriber) => registerBillingSubscriptions(subscriber, { db }),
  }),
});
