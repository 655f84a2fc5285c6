import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { childLogger } from "@monograph/telemetry";
import { parse, type GraphQLSchema } from "graphql";
import { maskError } from "./errors.ts";
import { startHttpServer, type ReadinessCheck, type RunningServer } from "./http.ts";
import { CALLER_HEADER, verifyCaller, type Caller } from "./identity.ts";

/** Every subgraph's context carries the caller; each domain adds its own per-request pieces (loaders). */
export interface BaseSubgraphContext {
  caller: Caller;
}

/**
 * What a domain hands to a composition root: its schema, and how to build the context of one request. The
 * composition root decides whether that schema runs inside the gateway's process or behind its own HTTP server.
 */
export interface SubgraphModule<TContext extends BaseSubgraphContext = BaseSubgraphContext> {
  /** The subgraph's name in the supergraph, e.g. "users". */
  name: string;
  schema: GraphQLSchema;
  createContext(caller: Caller): TContext;
}

export interface StartSubgraphServerOptions {
  subgraph: SubgraphModule;
  internalSecret: string;
  port: number;
  host?: string;
  readiness?: Record<string, ReadinessCheck>;
  onStop?: () => Promise<void>;
  /** Extra HTTP routes, e.g. inventory's service-to-service endpoints. */
  extraRoutes?: Parameters<typeof startHttpServer>[0]["extraRoutes"];
  /** GET /metrics on this port (default true; false when METRICS_PORT serves them). */
  metrics?: boolean;
}

/**
 * Runs one subgraph as its own HTTP service (hybrid and distributed shapes). The caller's identity is taken only
 * from the signed CALLER_HEADER; an Authorization header sent straight to a subgraph is ignored.
 */
export function startSubgraphServer(options: StartSubgraphServerOptions): Promise<RunningServer> {
  const { subgraph } = options;
  const log = childLogger(subgraph.name);
  const apollo = new ApolloServer<BaseSubgraphContext>({
    schema: subgraph.schema,
    // Inline traces (ftv1) only feed Apollo's hosted Studio, which Monograph's gateway does not report to.
    // Our entry points stop on signals themselves, in order (server, background work, database): Apollo's own
    // handler would stop only Apollo, then re-raise the signal mid-shutdown.
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
    formatError: (formatted) => maskError(formatted, (hidden) => log.error({ err: hidden }, "internal error")),
  });
  return startHttpServer({
    apollo,
    port: options.port,
    host: options.host,
    readiness: options.readiness,
    onStop: options.onStop,
    extraRoutes: options.extraRoutes,
    metrics: options.metrics,
    // The same name as the gateway's span around an in-process fetch: a trace reads the same in every shape.
    graphqlSpanName: `subgraph ${subgraph.name}`,
    context: async (request) => {
      const header = request.headers[CALLER_HEADER];
      const caller = await verifyCaller(options.internalSecret, Array.isArray(header) ? header[0] : header);
      return subgraph.createContext(caller);
    },
  });
}

/** A subgraph's resolver map. Thin resolvers only: arguments in, one service call, result out. */
export type Resolvers<TContext> = GraphQLResolverMap<TContext>;

/**
 * Builds a subgraph's executable schema from its SDL file (the single source of truth for its contract) and its
 * resolvers. Read at start-up, never per request.
 */
export function buildSubgraphFromFile<TContext>(sdlFile: URL, resolvers: Resolvers<TContext>): GraphQLSchema {
  const typeDefs = parse(readFileSync(sdlFile, "utf8"));
  return buildSubgraphSchema([{ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }]);
}
