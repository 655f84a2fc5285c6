import type { BaseSubgraphContext } from "@monograph/platform";
import type { UsersLoaders } from "./loaders.ts";
import type { UsersService } from "./service.ts";

/** What every users resolver gets for one request: the caller, the domain's service, and this request's loaders. */
export interface UsersContext extends BaseSubgraphContext {
  users: UsersService;
  loaders: UsersLoaders;
}
