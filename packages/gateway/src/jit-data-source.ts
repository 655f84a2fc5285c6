import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import {
  defaultFieldResolver,
  execute,
  isInterfaceType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { childLogger, subgraphErrorJSON } from "@monograph/platform";
import type { GatewayContext } from "./context.ts";
import { subgraphContextFor, type InProcessDataSourceFactory, type InProcessSubgraph } from "./in-process-data-source.ts";

const log = childLogger("gateway");

/** How one distinct subgraph operation runs: compiled, with graphql-js (what graphql-jit would not compile), or refused. */
type Plan = { kind: "compiled"; query: CompiledQuery } | { kind: "interpreted"; document: DocumentNode } | { kind: "invalid"; errors: GraphQLFormattedError[] };

const MAX_CACHED_PLANS = 1_000;

const withExplicitResolvers = new WeakSet<GraphQLSchema>();

/**
 * graphql-jit reads a field without a resolver as a plain property, where graphql-js's default resolver calls it
 * when it is a function (our domains return objects with such lazy fields, e.g. a connection's totalCount). Giving
 * every such field graphql-js's own defaultFieldResolver keeps graphql-js's behaviour in both executors (graphql-js
 * uses exactly that resolver when there is none); it costs graphql-jit its inlined property reads.
 */
function useDefaultResolvers(schema: GraphQLSchema): void {
  if (withExplicitResolvers.has(schema)) return;
  withExplicitResolvers.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) field.resolve ??= defaultFieldResolver;
  }
}

/**
 * Like InProcessDataSource (each distinct subgraph operation parsed and validated once, the subgraph's own
 * per-request context), but each operation is also compiled once with graphql-jit into a function that runs it:
 * the query plans repeat a small set of operations on every request. An operation graphql-jit cannot compile runs
 * with graphql-js's execute, as InProcessDataSource would run it.
 */
export class JitInProcessDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly plans = new Map<string, Plan>();

  constructor(
    private readonly name: string,
    private readonly subgraph: InProcessSubgraph,
  ) {
    useDefaultResolvers(subgraph.schema);
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const plan = this.plan(request.query ?? "", request.operationName);
    if (plan.kind === "invalid") return { errors: plan.errors };
    const contextValue = subgraphContextFor(this.name, this.subgraph, options.context as GatewayContext);
    const result =
      plan.kind === "compiled"
        ? await plan.query.query(undefined, contextValue, request.variables ?? {})
        : await execute({ schema: this.subgraph.schema, document: plan.document, variableValues: request.variables, operationName: request.operationName, contextValue });
    return { data: result.data ?? null, ...(result.errors ? { errors: result.errors.map(subgraphErrorJSON) } : {}) };
  }

  private plan(query: string, operationName: string | undefined): Plan {
    const key = operationName === undefined ? query : `${operationName}\n${query}`;
    const cached = this.plans.get(key);
    if (cached) return cached;
    let plan: Plan;
    try {
      const document = parse(query);
      const errors = validate(this.subgraph.schema, document, specifiedRules);
      if (errors.length > 0) plan = { kind: "invalid", errors: errors.map((error) => error.toJSON()) };
      else {
        const compiled = compileQuery(this.subgraph.schema, document, operationName);
        if (isCompiledQuery(compiled)) plan = { kind: "compiled", query: compiled };
        else {
          log.debug({ subgraph: this.name, errors: compiled.errors?.map((error) => error.message) }, "graphql-jit did not compile a subgraph operation: graphql-js runs it");
          plan = { kind: "interpreted", document };
        }
      }
    } catch (error) {
      plan = { kind: "invalid", errors: [(error as GraphQLError).toJSON?.() ?? { message: String(error) }] };
    }
    if (this.plans.size >= MAX_CACHED_PLANS) this.plans.delete(this.plans.keys().next().value as string);
    this.plans.set(key, plan);
    return plan;
  }
}

/** An InProcessDataSourceFactory for startGateway's `inProcessDataSource`: subgraph operations compiled with graphql-jit. */
export const jitInProcessDataSource: InProcessDataSourceFactory = (name, subgraph) => new JitInProcessDataSource(name, subgraph);
