import type { GraphQLDataSource } from "@apollo/gateway";
import type { ApolloServerPlugin } from "@apollo/server";
import {
  countGraphQLErrors,
  graphqlDuration,
  graphqlRequests,
  inSpan,
  operationNames,
  subgraphFetchDuration,
  subgraphFetchErrors,
  telemetryOff,
  tracingEnabled,
} from "@monograph/telemetry";
import type { GatewayContext } from "./context.ts";

/**
 * Counts every GraphQL operation the gateway answers (by operation name, type and outcome), times it, and counts
 * the errors it sends by code (refusals by limit among them). Operation names are bounded (metrics.ts).
 */
export function operationMetricsPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      if (telemetryOff.has("metrics")) return;
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ operationName, contextValue }) {
          if (contextValue.request) contextValue.request.operationName = operationNames.of(operationName);
        },
        async willSendResponse({ operationName, operation, response }) {
          const name = operationNames.of(operationName);
          const type = operation?.operation ?? "unknown";
          const errors = response.body.kind === "single" ? (response.body.singleResult.errors ?? []) : [];
          graphqlRequests.inc({ operation: name, type, outcome: errors.length > 0 ? "error" : "success" });
          graphqlDuration.observe({ operation: name, type }, Number(process.hrtime.bigint() - started) / 1e9);
          if (errors.length > 0) countGraphQLErrors(errors.map((error) => error.extensions?.code as string | undefined));
        },
      };
    },
  };
}

/**
 * Times each fetch of the gateway to a subgraph, and counts failed ones, the same way whether the subgraph runs
 * in this process or behind a URL.
 */
export function measuredDataSource(subgraph: string, source: GraphQLDataSource<GatewayContext>, { inProcess = false } = {}): GraphQLDataSource<GatewayContext> {
  // In-process, the fetch gets the span a subgraph process gives the same request over HTTP (`subgraph <name>`):
  // SQL spans nest under it, and a trace reads the same in every shape.
  const run = inProcess
    ? (options: Parameters<typeof source.process>[0]) => inSpan(`subgraph ${subgraph}`, { attributes: { "monograph.subgraph": subgraph } }, () => source.process(options))
    : (options: Parameters<typeof source.process>[0]) => source.process(options);
  return {
    // The fetch's own promise, timed on the side, rather than an async function's: a promise and its ticks fewer
    // per fetch (16 per query on the gateways workload; issue 9's cost bound).
    process(options) {
      if (telemetryOff.has("metrics") && !(inProcess && tracingEnabled())) return source.process(options);
      const started = process.hrtime.bigint();
      const timed = () => subgraphFetchDuration.observe({ subgraph }, Number(process.hrtime.bigint() - started) / 1e9);
      let pending: ReturnType<typeof source.process>;
      try {
        pending = run(options);
      } catch (error) {
        pending = Promise.reject(error);
      }
      return pending.then(
        (response) => {
          if (response.errors?.length) subgraphFetchErrors.inc({ subgraph, kind: "graphql" });
          timed();
          return response;
        },
        (error: unknown) => {
          subgraphFetchErrors.inc({ subgraph, kind: "unavailable" });
          timed();
          throw error;
        },
      );
    },
  };
}
