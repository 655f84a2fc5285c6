import { graphql, type ExecutionResult } from "graphql";
import { ANONYMOUS, type Caller } from "./identity.ts";
import type { SubgraphModule } from "./subgraph.ts";

/**
 * Runs one operation against a subgraph's schema in-process, with a fresh per-request context, as the gateway
 * would. For subgraph-level tests (`_entities`, resolvers, authorization); cross-subgraph behaviour is tested
 * through the gateway.
 */
export async function executeOnSubgraph<TData = Record<string, unknown>>(
  subgraph: SubgraphModule,
  source: string,
  { variables, caller = ANONYMOUS }: { variables?: Record<string, unknown>; caller?: Caller } = {},
): Promise<ExecutionResult<TData>> {
  return (await graphql({
    schema: subgraph.schema,
    source,
    variableValues: variables,
    contextValue: subgraph.createContext(caller),
  })) as ExecutionResult<TData>;
}

/** The error codes of a result, in order: what a client branches on. */
export function errorCodes(result: { errors?: readonly { extensions?: Record<string, unknown> }[] | undefined }): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}
export { captureLogs, type CapturedLogs } from "@monograph/telemetry/testing";
