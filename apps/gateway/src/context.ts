import type { Caller } from "@monograph/platform";

/** The gateway's context for one client request. */
export interface GatewayContext {
  caller: Caller;
  /** Per-subgraph contexts (with their DataLoaders) of this request, created on first use. */
  subgraphContexts: Map<string, object>;
}
