import type { SubgraphName } from "./workload.ts";

/** The setups compared by `npm run bench -- --workload gateways`, in the order of their first round. */
export const SETUPS = ["stock-http", "stock-in-process", "ours-in-process", "ours-in-process-stock-executor", "ours-in-process-jit", "ours-http", "plain"] as const;
export type Setup = (typeof SETUPS)[number];
export const SETUP_LABELS: Record<Setup, string> = {
  "stock-http": "stock @apollo/gateway, subgraphs over HTTP",
  "stock-in-process": "stock, in-process (LocalGraphQLDataSource)",
  "ours-in-process": "startGateway, in-process, graphql-js only (inProcessDataSource)",
  "ours-in-process-stock-executor": "startGateway, in-process, graphql-jit, @apollo/gateway's plan executor",
  "ours-in-process-jit": "startGateway, every subgraph in-process (default: graphql-jit)",
  "ours-http": "startGateway, every subgraph over HTTP",
  plain: "ONE plain graphql-js schema (the ceiling)",
};
/** Setups whose subgraphs run in the subgraphs' process: its CPU time counts for them. */
export const OVER_HTTP: ReadonlySet<Setup> = new Set(["stock-http", "ours-http"]);

export type SetupMessage = { type: "ready"; url: string; urls?: Record<SubgraphName, string> } | { type: "failed"; error: string };
