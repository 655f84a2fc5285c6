import { LocalGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayContext } from "../src/context.ts";
import { InProcessDataSource, type InProcessSubgraph } from "../src/in-process-data-source.ts";

/**
 * How the monolith's gateway runs its in-process subgraphs during a benchmark run:
 * - "in-process": our InProcessDataSource (parses and validates each distinct subgraph operation once);
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

/** What the stock data source needs from an InProcessDataSource instance (TypeScript-private members). */
interface Internals {
  subgraph: InProcessSubgraph;
  contextFor(context: GatewayContext): object;
  stock?: LocalGraphQLDataSource;
}

let installed = false;

/**
 * Lets a benchmark swap the in-process data source at run time, in this process only (the bench runs each shape
 * in a process of its own). startGateway has no option to choose the in-process data source, so this wraps
 * InProcessDataSource.prototype.process: in "local" mode each instance delegates to a LocalGraphQLDataSource over
 * the same schema. That one is handed the subgraph's own per-request context (with its DataLoaders and caller),
 * exactly like ours: the stock class would otherwise give the resolvers the gateway's context, which they cannot
 * use. What differs is therefore only how each subgraph operation is parsed, validated and executed.
 */
export function installDataSourceSwitch(): void {
  if (installed) return;
  installed = true;
  const prototype = InProcessDataSource.prototype;
  const original = prototype.process;
  prototype.process = function process(this: InProcessDataSource, options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    calls[current] += 1;
    if (current === "in-process") return original.call(this, options);
    const self = this as unknown as Internals;
    self.stock ??= new LocalGraphQLDataSource(self.subgraph.schema);
    return self.stock.process({ ...options, context: self.contextFor(options.context as GatewayContext) } as GraphQLDataSourceProcessOptions<GatewayContext>);
  };
}
