import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { execute, parse, specifiedRules, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from "graphql";
import { subgraphErrorJSON } from "@monograph/platform";
import type { GatewayContext } from "./context.ts";

/** How the gateway runs one subgraph inside its own process. */
export interface InProcessSubgraph {
  schema: GraphQLSchema;
  /** The subgraph's per-request context; called at most once per client request. */
  createContext?: (context: GatewayContext) => object;
}

/**
 * Builds the data source of one in-process subgraph. The default is InProcessDataSource; a benchmark passes another
 * (say @apollo/gateway's stock LocalGraphQLDataSource) to compare them, without patching any class.
 */
export type InProcessDataSourceFactory = (name: string, subgraph: InProcessSubgraph) => GraphQLDataSource<GatewayContext>;

/** The default InProcessDataSourceFactory. */
export const inProcessDataSource: InProcessDataSourceFactory = (name, subgraph) => new InProcessDataSource(name, subgraph);

/**
 * The subgraph's own per-request context for a gateway request: built on the first fetch to that subgraph, then
 * reused by every other fetch of the same client request (its DataLoaders batch across fetches).
 */
export function subgraphContextFor(name: string, subgraph: InProcessSubgraph, context: GatewayContext): object {
  if (!subgraph.createContext) return context;
  let subgraphContext = context.subgraphContexts.get(name);
  if (!subgraphContext) {
    subgraphContext = subgraph.createContext(context);
    context.subgraphContexts.set(name, subgraphContext);
  }
  return subgraphContext;
}

// Query plans produce a small, fixed set of subgraph operations, so the same strings come back on every request.
const MAX_CACHED_DOCUMENTS = 1_000;

/**
 * Executes subgraph fetches against an executable schema in this process: no HTTP, no serialisation of the
 * request. Unlike @apollo/gateway's LocalGraphQLDataSource it parses and validates each distinct subgraph
 * operation once (the gateway generated it from a validated client operation), not on every call, and gives the
 * subgraph its own per-request context rather than the gateway's.
 */
export class InProcessDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  constructor(
    private readonly name: string,
    private readonly subgraph: InProcessSubgraph,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const document = this.document(request.query ?? "");
    if (!("kind" in document)) return { errors: document.map((error) => error.toJSON()) };
    const context = options.context as GatewayContext;
    const result = await execute({
      schema: this.subgraph.schema,
      document,
      variableValues: request.variables,
      operationName: request.operationName,
      contextValue: this.contextFor(context),
    });
    // The same shape an HTTP subgraph would send: plain JSON errors, so the gateway treats both shapes alike.
    // A database outage is told apart here, while the driver's error is still attached (SERVICE_UNAVAILABLE).
    return { data: result.data ?? null, ...(result.errors ? { errors: result.errors.map(subgraphErrorJSON) } : {}) };
  }

  private contextFor(context: GatewayContext): object {
    return subgraphContextFor(this.name, this.subgraph, context);
  }

  private document(query: string): DocumentNode | readonly GraphQLError[] {
    const cached = this.documents.get(query);
    if (cached) return cached;
    let parsed: DocumentNode | readonly GraphQLError[];
    try {
      const document = parse(query);
      const errors = validate(this.subgraph.schema, document, specifiedRules);
      parsed = errors.length > 0 ? errors : document;
    } catch (error) {
      parsed = [error as GraphQLError];
    }
    if (this.documents.size >= MAX_CACHED_DOCUMENTS) this.documents.delete(this.documents.keys().next().value as string);
    this.documents.set(query, parsed);
    return parsed;
  }
}
