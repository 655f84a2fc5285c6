import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { ApolloServer } from "@apollo/server";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { childLogger, requestContextOf, tracedResolver, tracingEnabled } from "@monograph/telemetry";
import { GraphQLScalarType, parse, responsePathAsArray, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from "graphql";
import { ErrorCode, maskError } from "./errors.ts";
import { startHttpServer, DEFAULT_HTTP_EDGE, type HttpEdgeOptions, type HttpRefusal, type ReadinessCheck, type RunningServer } from "./http.ts";
import { CALLER_HEADER, verifyRequestNow, type Caller } from "./identity.ts";
import { DEFAULT_OPERATION_LIMITS, formatEdgeError, operationLimitOptions, type OperationLimits } from "./limits.ts";
import { requestContextPlugin, requestLogFor, type WithRequestContext } from "./request-context.ts";

/**
 * Every subgraph's context carries the caller and (set by the server or the gateway, not by the domain) the
 * request being served; each domain adds its own per-request pieces (loaders).
 */
export interface BaseSubgraphContext extends WithRequestContext {
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
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), requestContextPlugin(), ...limits.plugins],
    formatError: (formatted, error) =>
      maskError(formatEdgeError(formatted, error, { fieldSuggestions }), (hidden) => requestLogFor(log, error).error({ err: hidden }, "internal error"), error),
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
    context: async (request) => Object.assign(subgraph.createContext(seal.callerOf(request)), { request: requestContextOf(request) }),
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

/* eslint-disable @typescript-eslint/no-explicit-any -- as in GraphQLResolverMap: parents and arguments differ per field, and the
   generated types carry the exact ones */
/**
 * A subgraph's resolver map, in the shape `buildSubgraphSchema` takes (@apollo/subgraph's GraphQLResolverMap, which
 * its entry point does not export). It checks only the shape: a domain types each resolver exactly with the
 * `Resolvers` GraphQL Code Generator makes from its SDL (src/generated/resolvers-types.ts), whose reference
 * resolvers take `(reference, context)` and so fit here with the context left `any`, the default.
 */
export type Resolvers<TContext = any> = {
  [typeName: string]:
    | GraphQLScalarType
    | { [enumValue: string]: string | number }
    | {
        [fieldName: string]:
          | GraphQLFieldResolver<any, TContext>
          | { requires?: string; resolve?: GraphQLFieldResolver<any, TContext>; subscribe?: GraphQLFieldResolver<any, TContext> };
      };
};

/**
 * Builds a subgraph's executable schema from its SDL file (the single source of truth for its contract) and its
 * resolvers. Read at start-up, never per request.
 */
export function buildSubgraphFromFile<TContext = any>(sdlFile: URL, resolvers: Resolvers<NoInfer<TContext>>): GraphQLSchema {
  const typeDefs = parse(readFileSync(sdlFile, "utf8"));
  const resolverMap = tracingEnabled() ? traceResolvers(resolvers as Resolvers<unknown>) : (resolvers as Resolvers<unknown>);
  return buildSubgraphSchema([{ typeDefs, resolvers: resolverMap }]);
}

type AnyResolver = (...args: never[]) => unknown;

/**
 * With tracing on (decided when the schema is built, after `startTracing`), every resolver the domain wrote
 * (root fields, entity references, fields with their own function; not graphql-js's default property reads)
 * runs under a span `resolve <Type>.<field>` when it returns a promise (tracedResolver), so each SQL statement
 * sits under the resolver that caused it. Subscriptions are left alone: their resolvers live as long as the
 * subscription.
 */
export function traceResolvers(resolvers: Resolvers<unknown>): Resolvers<unknown> {
  const traced: Resolvers<unknown> = {};
  for (const [typeName, fields] of Object.entries(resolvers)) {
    if (typeName === "Subscription" || fields instanceof GraphQLScalarType || typeof fields !== "object" || fields === null) {
      traced[typeName] = fields;
      continue;
    }
    const wrapped: Record<string, unknown> = {};
    for (const [fieldName, value] of Object.entries(fields as Record<string, unknown>)) {
      const name = `resolve ${typeName}.${fieldName}`;
      const attributes = { "graphql.field.name": fieldName, "graphql.parent.type": typeName };
      if (fieldName === "__resolveReference" && typeof value === "function") {
        wrapped[fieldName] = tracedResolver(name, attributes, value as AnyResolver);
      } else if (typeof value === "function") {
        wrapped[fieldName] = tracedResolver(name, attributes, value as AnyResolver, fieldPath);
      } else if (typeof value === "object" && value !== null && typeof (value as { resolve?: unknown }).resolve === "function") {
        wrapped[fieldName] = { ...value, resolve: tracedResolver(name, attributes, (value as { resolve: AnyResolver }).resolve, fieldPath) };
      } else {
        wrapped[fieldName] = value;
      }
    }
    traced[typeName] = wrapped as Resolvers<unknown>[string];
  }
  return traced;
}

/** `me.orders.edges.0.node.items` from a field resolver's info (its fourth argument). */
function fieldPath(args: readonly unknown[]): string | undefined {
  const info = args[3] as GraphQLResolveInfo | undefined;
  return info?.path ? responsePathAsArray(info.path).join(".") : undefined;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
