import type { Caller, WithRequestContext } from "@monograph/platform";

/** The gateway's context for one client request (`request`: its id, for lines and subgraph calls). */
export interface GatewayContext extends WithRequestContext {
  caller: Caller;
  /** Where the request comes from, as the sign-in throttle counts it (see throttle-address.ts). */
  clientAddress: string;
  /** Per-subgraph contexts (with their DataLoaders) of this request, created on first use. */
  subgraphContexts: Map<string, object>;
}
