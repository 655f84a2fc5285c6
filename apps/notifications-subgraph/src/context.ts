import type { BaseSubgraphContext } from "@monograph/platform";
import type { NotificationsLoaders } from "./loaders.ts";
import type { NotificationsService } from "./service.ts";

/** What every notifications resolver gets for one request: the caller, the domain's service, and this request's loaders. */
export interface NotificationsContext extends BaseSubgraphContext {
  notifications: NotificationsService;
  loaders: NotificationsLoaders;
}
