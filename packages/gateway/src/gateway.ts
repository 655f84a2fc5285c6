import { Supergraph } from "@apollo/federation-internals";
import { ApolloGateway, type GraphQLDataSource } from "@apollo/gateway";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import {
  callerFromAuthorization,
  childLogger,
  DEFAULT_HTTP_EDGE,
  DEFAULT_OPERATION_LIMITS,
  formatEdgeError,
  maskError,
  operationLimitOptions,
  requestContextOf,
  requestContextPlugin,
  requestLogFor,
  startHttpServer,
  type HttpEdgeOptions,
  type HttpServerOptions,
  type OperationLimits,
  type ReadinessCheck,
  type RunningServer,
} from "@monograph/platform";
import type { PersistedOperationManifest } from "@monograph/schema/runtime";
import type { GatewayContext } from "./context.ts";
import type { InProcessDataSourceFactory, InProcessSubgraph } from "./in-process-data-source.ts";
import { SignedRemoteDataSource } from "./remote-data-source.ts";
import { safelistServerOptions } from "./safelist.ts";
import type { SubgraphCallPolicy } from "./subgraph-deadlines.ts";
import { clientAddress, TRUST_NO_PROXY, type TrustProxy } from "./throttle-address.ts";
import { signInThrottlePlugin, type ThrottleOptions } from "./throttle.ts";
import { measuredDataSource, operationMetricsPlugin } from "./telemetry.ts";
import { planExecutor } from "./plan-executor.ts";
import { tracingEnabled } from "@monograph/telemetry";
import type { GatewayExecutor, GatewayInterface } from "@apollo/server-gateway-interface";

const log = childLogger("gateway");

/** Where one subgraph runs: inside the gateway's process, or behind a URL. */
export type SubgraphLocation =
  | ({ kind: "in-process" } & InProcessSubgraph)
  /** `policy`: the deadline and concurrency bound of fetches to it (default 10 s, 64). */
  | { kind: "remote"; url: string; policy?: Partial<SubgraphCallPolicy> };

export interface GatewayOptions {
  /** Any valid Federation 2 supergraph SDL. */
  supergraphSdl: string;
  /**
   * How to reach each subgraph, by its name in the supergraph. A subgraph not listed here is called at the URL
   * the supergraph records for it.
   */
  subgraphs?: Record<string, SubgraphLocation>;
  /** Verifies users' bearer tokens. */
  jwtSecret: string;
  /** Signs the caller header sent to remote subgraphs. */
  internalSecret: string;
  port: number;
  host?: string;
  /** Schema introspection (default true; the app turns it off in production unless enabled). */
  introspection?: boolean;
  /**
   * Runs only these operations (OPERATIONS=safelist), by persisted-query hash or as their full text. Omitted: any
   * document, with automatic persisted queries (APQ) registering new ones.
   */
  safelist?: PersistedOperationManifest;
  readiness?: Record<string, ReadinessCheck>;
  /** Extra routes served before /graphql, e.g. the explorer. */
  extraRoutes?: HttpServerOptions<GatewayContext>["extraRoutes"];
  /** More Apollo Server plugins, e.g. usage reporting (src/usage.ts). */
  plugins?: ApolloServerPlugin<GatewayContext>[];
  onStop?: () => Promise<void>;
  /** Sign-in and sign-up throttling (none when absent). */
  throttle?: ThrottleOptions;
  /** Which X-Forwarded-For entries name the client (default: none, the socket's peer is the client). */
  trustProxy?: TrustProxy;
  /** Limits every operation is held to before it is planned (default DEFAULT_OPERATION_LIMITS). */
  limits?: OperationLimits;
  /** HTTP bounds: body size, timeouts, the request deadline, requests in flight, CORS, batches. */
  edge?: Partial<HttpEdgeOptions>;
  /** "Did you mean ...?" in error messages (default true; the app turns it off in production). */
  fieldSuggestions?: boolean;
  /**
   * Lets @apollo/gateway send its usage telemetry to Apollo (and probe cloud metadata hosts for it). Off unless the
   * operator opts in (APOLLO_TELEMETRY=on): a self-hosted gateway connects only where it is configured to.
   */
  apolloTelemetry?: boolean;
  /** GET /metrics on the gateway's port (default true; false when METRICS_PORT serves them elsewhere). */
  metrics?: boolean;
  /**
   * Builds the data source of each in-process subgraph. Default: JitInProcessDataSource, which parses, validates
   * and compiles (graphql-jit) each distinct subgraph operation once, and runs what graphql-jit cannot compile with
   * graphql-js. `inProcessDataSource` (graphql-js only) is the alternative; the benchmark passes @apollo/gateway's
   * stock one to compare them.
   */
  inProcessDataSource?: InProcessDataSourceFactory;
  /**
   * Who executes query plans: "monograph" (the default, src/plan-executor.ts: the same answers as stock, with the
   * per-operation work done once; ADR 19) or "apollo" (@apollo/gateway's own executor, for comparison).
   */
  executor?: "monograph" | "apollo";
}

/**
 * @apollo/gateway as Apollo Server sees it (schema, lifecycle), with the executor of query plans replaced; the
 * stock executor stays reachable as the fallback.
 */
function withExecutor(inner: ApolloGateway, executorFor: (stock: GatewayExecutor) => GatewayExecutor): GatewayInterface {
  return {
    async load(loadOptions) {
      const loaded = await inner.load(loadOptions);
      return { ...loaded, executor: loaded.executor ? executorFor(loaded.executor) : null };
    },
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    stop: () => inner.stop(),
  };
}

/**
 * Starts a federated gateway over HTTP. It serves the supergraph it is given (no introspection of subgraphs at
 * run time), verifies the caller's bearer token once, hands the caller to every subgraph, and masks any error
 * that is not a deliberate, coded one.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const locations = options.subgraphs ?? {};
  // graphql-jit (and the fast-json-stringify and ajv it brings) is loaded only by a gateway that runs a subgraph in
  // its own process: one with every subgraph remote never needs it.
  const inProcess =
    options.inProcessDataSource ??
    (Object.values(locations).some((location) => location.kind === "in-process") ? (await import("./jit-data-source.ts")).jitInProcessDataSource : undefined);
  // Read by ApolloGateway's constructor: unset, it schedules usage reports to Apollo and runs cloud resource
  // detectors (169.254.169.254, 100.100.100.200, DNS). Nothing else turns them off.
  if (!options.apolloTelemetry) process.env.APOLLO_TELEMETRY_DISABLED = "true";
  // One data source per subgraph, built when @apollo/gateway loads the supergraph and shared with our executor.
  const dataSources = new Map<string, GraphQLDataSource>();
  const apolloGateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }): GraphQLDataSource => {
      const location = locations[name];
      let source: GraphQLDataSource;
      if (location?.kind === "in-process") {
        source = measuredDataSource(name, inProcess!(name, location), { inProcess: true });
      } else {
        const target = location?.url ?? url;
        if (!target) throw new Error(`Subgraph "${name}" has no URL in the supergraph and none was configured.`);
        source = measuredDataSource(name, new SignedRemoteDataSource(name, target, options.internalSecret, location?.kind === "remote" ? location.policy : undefined));
      }
      dataSources.set(name, source);
      return source;
    },
  });
  const gateway: GatewayInterface =
    options.executor === "apollo"
      ? apolloGateway
      : withExecutor(apolloGateway, (stock) =>
          planExecutor({
            // Validated by @apollo/gateway's own load a moment before.
            supergraph: Supergraph.build(options.supergraphSdl, { validateSupergraph: false }),
            dataSource: (name) => dataSources.get(name),
            fallback: stock,
            tracing: tracingEnabled,
          }),
        );
  const fieldSuggestions = options.fieldSuggestions ?? true;
  // Checked before the query planner sees the operation: planning a 1,000-deep selection takes seconds and gigabytes.
  const limits = operationLimitOptions(options.limits ?? DEFAULT_OPERATION_LIMITS, { maxBatch: options.edge?.maxBatch ?? DEFAULT_HTTP_EDGE.maxBatch, fieldSuggestions });
  const safelist = options.safelist ? safelistServerOptions<GatewayContext>(options.safelist) : undefined;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...limits,
    persistedQueries: safelist?.persistedQueries,
    introspection: options.introspection ?? true,
    // Our entry points stop on signals themselves, in order (server, background work, database): Apollo's own
    // handler would stop only Apollo, then re-raise the signal mid-shutdown.
    stopOnTerminationSignals: false,
    // The explorer is served by extraRoutes; Apollo's own landing page loads from a CDN and is useless offline.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      requestContextPlugin(),
      operationMetricsPlugin(),
      ...(safelist?.plugins ?? []),
      ...limits.plugins,
      ...(options.throttle ? [signInThrottlePlugin(options.throttle)] : []),
      ...(options.plugins ?? []),
    ],
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) =>
      maskError(formatEdgeError(formatted, error, { fieldSuggestions }), (hidden) => requestLogFor(log, error).error({ err: hidden }, "internal error"), error),
  });
  return startHttpServer({
    apollo,
    port: options.port,
    host: options.host,
    readiness: options.readiness,
    extraRoutes: options.extraRoutes,
    onStop: options.onStop,
    edge: options.edge,
    limits: options.limits,
    metrics: options.metrics,
    context: async (request) => ({
      caller: await callerFromAuthorization(options.jwtSecret, request.headers.authorization),
      clientAddress: clientAddress(request, options.trustProxy ?? TRUST_NO_PROXY),
      subgraphContexts: new Map(),
      request: requestContextOf(request),
    }),
  });
}
