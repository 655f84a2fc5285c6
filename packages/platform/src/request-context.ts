import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { attachRequestContext, forRequest, requestContextOf, type Logger, type RequestContext } from "@monograph/telemetry";

/** What a GraphQL context (the gateway's, every subgraph's) carries of the HTTP request it serves. */
export interface WithRequestContext {
  /** The request being served: its id goes on every line logged for it and on every call it makes. */
  request?: RequestContext;
}

/**
 * Ties each error of an operation to its request's context, so that `formatError`, which Apollo Server calls
 * without the GraphQL context, logs the error with the request's id (`requestLogFor`).
 */
export function requestContextPlugin<TContext extends BaseContext & WithRequestContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors }) {
          for (const error of errors) attachRequestContext(error, contextValue.request);
        },
      };
    },
  };
}

/** `log` for a line about `error` in formatError: with the id of the request that raised it. */
export function requestLogFor(log: Logger, error: unknown): Logger {
  return typeof error === "object" && error !== null ? forRequest(log, requestContextOf(error)) : log;
}
