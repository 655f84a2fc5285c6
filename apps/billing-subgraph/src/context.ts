import type { BaseSubgraphContext } from "@monograph/platform";
import type { BillingLoaders } from "./loaders.ts";
import type { BillingService } from "./service.ts";

/** What every billing resolver gets for one request: the caller, the domain's service, and this request's loaders. */
export interface BillingContext extends BaseSubgraphContext {
  billing: BillingService;
  loaders: BillingLoaders;
}
