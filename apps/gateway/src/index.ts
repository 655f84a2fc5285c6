export { startGateway, type GatewayOptions, type SubgraphLocation } from "./gateway.ts";
export { explorerRoutes, renderExplorer, type ExplorerExample, type ExplorerOptions, type RenderedExplorer } from "./explorer.ts";
export type { GatewayContext } from "./context.ts";
export { JitInProcessDataSource, jitInProcessDataSource } from "./jit-data-source.ts";
export { InProcessDataSource, inProcessDataSource, subgraphContextFor, type InProcessDataSourceFactory, type InProcessSubgraph } from "./in-process-data-source.ts";
export { createThrottleStore, signInThrottlePlugin, type RateLimit, type ThrottleLimits, type ThrottleOptions } from "./throttle.ts";
export { MemoryThrottleStore, RedisThrottleStore, type ThrottleStore } from "./throttle-store.ts";
export { parseTrustProxy, type TrustProxy } from "./throttle-address.ts";
