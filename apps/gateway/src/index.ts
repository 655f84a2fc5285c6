export { startGateway, type GatewayOptions, type SubgraphLocation } from "./gateway.ts";
export { explorerRoutes, renderExplorer, type ExplorerExample, type ExplorerOptions, type RenderedExplorer } from "./explorer.ts";
export type { GatewayContext } from "./context.ts";
export type { InProcessSubgraph } from "./in-process-data-source.ts";
