// The reusable gateway: Apollo Gateway behind the platform's HTTP edge, the data sources that reach a subgraph in
// process or over signed HTTP, the safelist, the sign-in throttle and the explorer page. It knows no domain: which
// subgraphs exist, where they run and what the explorer shows are the composition root's choice (apps/gateway).
export { startGateway, type GatewayOptions, type SubgraphLocation } from "./gateway.ts";
// The explorer is its own entry point (@monograph/gateway-core/explorer), imported only when it is on: its inlined
// GraphiQL bundle is about 30 MiB of strings in the heap, a fifth of a production gateway's memory, for a page that
// production does not serve by default. Only its types are here.
export type { ExplorerExample, ExplorerOptions, RenderedExplorer } from "./explorer.ts";
export type { GatewayContext } from "./context.ts";
// graphql-jit's data source is its own entry point (@monograph/gateway-core/jit): startGateway loads it only when a
// subgraph runs in process, so a gateway with every subgraph remote does not carry graphql-jit in memory.
export { InProcessDataSource, inProcessDataSource, subgraphContextFor, type InProcessDataSourceFactory, type InProcessSubgraph } from "./in-process-data-source.ts";
export { signingFetcher, SignedRemoteDataSource } from "./remote-data-source.ts";
export { createThrottleStore, signInThrottlePlugin, type RateLimit, type ThrottleLimits, type ThrottleOptions, type ThrottleStoreSettings } from "./throttle.ts";
export { MemoryThrottleStore, RedisThrottleStore, retryAfterMs, type Bucket, type ThrottleStore } from "./throttle-store.ts";
export { parseTrustProxy, type TrustProxy } from "./throttle-address.ts";
