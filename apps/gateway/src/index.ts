export { startGateway, type GatewayOptions, type SubgraphLocation } from "./gateway.ts";
export type { GatewayContext } from "./context.ts";
export type { InProcessSubgraph } from "./in-process-data-source.ts";
