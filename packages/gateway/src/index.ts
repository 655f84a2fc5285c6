// The reusable gateway: Apollo Gateway behind the platform's HTTP edge, the data sources that reach a subgraph in
// process or over signed HTTP, the safelist, the sign-in throttle and the explorer page. It knows no domain: which
// subgraphs exist, where they run and what the explorer shows are the composition root's choice (apps/gateway).
export { startGateway, type GatewayOptions, type SubgraphLocation } from "./gateway.ts";
export { explorerRoutes, renderExplorer, withClickableTabs, withHistory, type ExplorerExample, type ExplorerOptions, type RenderedExplorer } from "./explorer.ts";
export type { GatewayContext } from "./context.ts";
export { JitInProcessDataSource, jitInProcessDataSource } from "./jit-data-source.ts";
export { InProcessDataSource, inProcessDataSource, subgraphContextFor, type InProcessDataSourceFactory, type InProcessSubgraph } from "./in-process-data-source.ts";
export { signingFetcher, SignedRemoteDataSource } from "./remote-data-source.ts";
export { createThrottleStore, signInThrottlePlugin, type RateLimit, type ThrottleLimits, type ThrottleOptions, type ThrottleStoreSettings } from "./throttle.ts";
export { MemoryThrottleStore, RedisThrottleStore, retryAfterMs, type Bucket, type ThrottleStore } from "./throttle-store.ts";
export { parseTrustProxy, type TrustProxy } from "./throttle-address.ts";
