import type { BaseSubgraphContext } from "@monograph/platform";
import type { InventoryLoaders } from "./loaders.ts";
import type { InventoryService } from "./service.ts";

/** What every inventory resolver gets for one request: the caller, the domain's service, and this request's loaders. */
export interface InventoryContext extends BaseSubgraphContext {
  inventory: InventoryService;
  loaders: InventoryLoaders;
}
