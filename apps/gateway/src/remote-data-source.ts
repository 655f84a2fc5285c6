import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { CALLER_HEADER, childLogger, ErrorCode, propagationHeaders, signCaller } from "@monograph/platform";
import { GraphQLError } from "graphql";
import type { GatewayContext } from "./context.ts";

const log = childLogger("gateway");

/**
 * Calls a subgraph running in another process. The caller's identity travels in a short-lived header signed with
 * the internal secret (the subgraph trusts nothing else), and a subgraph that cannot be reached becomes a
 * SERVICE_UNAVAILABLE error naming the service, never its internal address.
 */
export class SignedRemoteDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraphName: string,
    url: string,
    private readonly internalSecret: string,
  ) {
    super({ url });
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const caller = (options.context as Partial<GatewayContext>).caller ?? { kind: "anonymous" as const };
    options.request.http?.headers.set(CALLER_HEADER, await signCaller(this.internalSecret, caller));
    // The request id (and trace context) continue in the subgraph's process.
    for (const [name, value] of Object.entries(propagationHeaders())) options.request.http?.headers.set(name, value);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      // GraphQL errors arrive inside a successful response; a throw here means no usable response at all
      // (refused connection, timeout, 5xx), which the client can only retry.
      log.error({ err: error, subgraph: this.subgraphName }, `subgraph ${this.subgraphName} failed`);
      throw new GraphQLError(`The ${this.subgraphName} service is unavailable. Try again shortly.`, {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, service: this.subgraphName },
      });
    }
  }
}
