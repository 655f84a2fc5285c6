import type { BaseSubgraphContext } from "@monograph/platform";
import type { OrdersLoaders } from "./loaders.ts";
import type { OrdersService } from "./service.ts";

/** What every orders resolver gets for one request: the caller, the domain's service, and this request's loaders. */
export interface OrdersContext extends BaseSubgraphContext {
  orders: OrdersService;
  loaders: OrdersLoaders;
}
