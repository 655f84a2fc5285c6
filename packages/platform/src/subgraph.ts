import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { ApolloServer } from "@apollo/server";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { childLogger } from "@monograph/telemetry";
import { parse, type GraphQLSchema } from "graphql";
import { ErrorCode, maskError } from "./errors.ts";
import { startHttpServer, DEFAULT_HTTP_EDGE, type HttpEdgeOptions, type HttpRefusal, type ReadinessCheck, type RunningServer } from "./http.ts";
import { CALLER_HEADER, verifyRequestNow, type Caller } from "./identity.ts";
import { DEFAULT_OPERATION_LIMITS, formatEdgeError, operationLimitOptions, type OperationLimits } from "./limits.ts";

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
  /** Operation limits, the same as the gateway's: someone may reach this process without the gateway. */
  limits?: OperationLimits;
  edge?: Partial<HttpEdgeOptions>;
  /** "Did you mean ...?" in validation errors (default true; off in production). */
  fieldSuggestions?: boolean;
  /** GET /metrics on this port (default true; false when METRICS_PORT serves them). */
  metrics?: boolean;
}

/**
 * Runs one subgraph as its own HTTP service (hybrid and distributed shapes). The process is sealed: a GraphQL
 * request must carry CALLER_HEADER signed by the gateway for that very request (see sealedSubgraph), or it is
 * refused with 401 before Apollo parses it; only /health and /ready stay open. The caller's identity is taken
 * only from that header; an Authorization header sent straight to a subgraph is ignored.
 */
export function startSubgraphServer(options: StartSubgraphServerOptions): Promise<RunningServer> {
  const { subgraph } = options;
  const log = childLogger(subgraph.name);
  const fieldSuggestions = options.fieldSuggestions ?? true;
  const limits = operationLimitOptions(options.limits ?? DEFAULT_OPERATION_LIMITS, { maxBatch: options.edge?.maxBatch ?? DEFAULT_HTTP_EDGE.maxBatch, fieldSuggestions });
  const apollo = new ApolloServer<BaseSubgraphContext>({
    schema: subgraph.schema,
    ...limits,
    // Inline traces (ftv1) only feed Apollo's hosted Studio, which Monograph's gateway does not report to.
    // Our entry points stop on signals themselves, in order (server, background work, database): Apollo's own
    // handler would stop only Apollo, then re-raise the signal mid-shutdown.
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), ...limits.plugins],
    formatError: (formatted, error) =>
      maskError(formatEdgeError(formatted, error, { fieldSuggestions }), (hidden) => log.error({ err: hidden }, "internal error"), error),
  });
  const seal = sealedSubgraph(options.internalSecret);
  return startHttpServer({
    apollo,
    port: options.port,
    host: options.host,
    readiness: options.readiness,
    onStop: options.onStop,
    extraRoutes: options.extraRoutes,
    edge: options.edge,
    limits: options.limits,
    authorize: seal.authorize,
    context: async (request) => subgraph.createContext(seal.callerOf(request)),
    metrics: options.metrics,
    // The same name as the gateway's span around an in-process fetch: a trace reads the same in every shape.
    graphqlSpanName: `subgraph ${subgraph.name}`,
  });
}

/**
 * The guard of a subgraph process: `authorize` verifies CALLER_HEADER against the request's method and raw body
 * and refuses anything else with 401 UNAUTHENTICATED (no header, another secret, expired, or signed for another
 * request); `callerOf` then gives the caller it named, for the request's context.
 */
export function sealedSubgraph(internalSecret: string): {
  authorize(request: IncomingMessage, rawBody: Buffer): Promise<HttpRefusal | undefined>;
  callerOf(request: IncomingMessage): Caller;
} {
  const callers = new WeakMap<IncomingMessage, Caller>();
  return {
    authorize(request, rawBody) {
      const header = request.headers[CALLER_HEADER];
      const caller = verifyRequestNow(internalSecret, Array.isArray(header) ? header[0] : header, { method: request.method ?? "GET", body: rawBody });
      if (!caller) return Promise.resolve({ status: 401, code: ErrorCode.UNAUTHENTICATED, message: "This service answers Monograph's gateway only." });
      callers.set(request, caller);
      return Promise.resolve(undefined);
    },
    callerOf(request) {
      const caller = callers.get(request);
      // authorize runs first for every GraphQL request; a request without a verified caller never gets this far.
      if (!caller) throw new Error("a request reached the subgraph without a verified caller");
      return caller;
    },
  };
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
