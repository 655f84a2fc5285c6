import { LocalGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { subgraphContextFor, type GatewayContext, type InProcessDataSourceFactory } from "@monograph/gateway-core";
import { JitInProcessDataSource } from "@monograph/gateway-core/jit";

/**
 * How the monolith's gateway runs its in-process subgraphs during a benchmark run:
 * - "in-process": startGateway's default, JitInProcessDataSource (parses, validates and compiles each distinct
 *   subgraph operation once, with graphql-jit);
 * - "local": @apollo/gateway's stock LocalGraphQLDataSource, which runs graphql() (parse, validate, execute) on
 *   every fetch.
 */
export type DataSourceKind = "in-process" | "local";

let current: DataSourceKind = "in-process";
const calls: Record<DataSourceKind, number> = { "in-process": 0, local: 0 };

export function useDataSource(kind: DataSourceKind): void {
  current = kind;
}

/** Subgraph fetches served by each kind so far: proof that a switch took effect. */
export function dataSourceCalls(): Record<DataSourceKind, number> {
  return { ...calls };
}

/**
 * The data source factory the bench's monolith passes to startGateway (its `inProcessDataSource` option): each
 * subgraph gets both kinds, and every fetch goes to the one `useDataSource` chose last. The stock one is handed
 * the subgraph's own per-request context (its DataLoaders and caller), exactly like ours: on its own it would
 * give the resolvers the gateway's context, which they cannot use. What differs is therefore only how each
 * subgraph operation is parsed, validated and executed.
 */
export const switchingDataSource: InProcessDataSourceFactory = (name, subgraph): GraphQLDataSource<GatewayContext> => {
  const ours = new JitInProcessDataSource(name, subgraph);
  const stock = new LocalGraphQLDataSource<GatewayContext>(subgraph.schema);
  return {
    process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
      calls[current] += 1;
      if (current === "in-process") return ours.process(options);
      const context = subgraphContextFor(name, subgraph, options.context as GatewayContext);
      return stock.process({ ...options, context } as GraphQLDataSourceProcessOptions<GatewayContext>);
    },
  };
};
