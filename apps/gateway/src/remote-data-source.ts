import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { CALLER_HEADER, childLogger, ErrorCode, signCaller } from "@monograph/platform";
import { GraphQLError } from "graphql";
import type { GatewayContext } from "./context.ts";
import { ConcurrencyLimit, deadlineFetch, DEFAULT_SUBGRAPH_CALL_POLICY, isIdempotentOperation, withDeadline, type SubgraphCallPolicy } from "./subgraph-deadlines.ts";

const log = childLogger("gateway");

/**
 * Calls a subgraph running in another process. The caller's identity travels in a short-lived header signed with
 * the internal secret (the subgraph trusts nothing else), and a subgraph that cannot be reached becomes a
 * SERVICE_UNAVAILABLE error naming the service, never its internal address.
 *
 * Every fetch has a deadline (`policy.timeoutMs`, waiting for a slot included) and at most
 * `policy.maxConcurrency` fetches are in flight to the subgraph; queries and entity fetches that could not connect
 * are sent once more, mutations never (they may have taken effect).
 */
export class SignedRemoteDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly policy: SubgraphCallPolicy;
  private readonly limit: ConcurrencyLimit;

  constructor(
    private readonly subgraphName: string,
    url: string,
    private readonly internalSecret: string,
    policy: Partial<SubgraphCallPolicy> = {},
  ) {
    super({ url, fetcher: deadlineFetch });
    this.policy = { ...DEFAULT_SUBGRAPH_CALL_POLICY, ...policy };
    this.limit = new ConcurrencyLimit(this.policy.maxConcurrency);
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const caller = (options.context as Partial<GatewayContext>).caller ?? { kind: "anonymous" as const };
    options.request.http?.headers.set(CALLER_HEADER, await signCaller(this.internalSecret, caller));
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await withDeadline(this.limit, this.policy, isIdempotentOperation(options.request.query), () => super.process(options));
    } catch (error) {
      // GraphQL errors arrive inside a successful response; a throw here means no usable response at all
      // (refused connection, deadline, no free slot, 5xx), which the client can only retry.
      log.error({ err: error, subgraph: this.subgraphName }, `subgraph ${this.subgraphName} failed`);
      throw new GraphQLError(`The ${this.subgraphName} service is unavailable. Try again shortly.`, {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, service: this.subgraphName },
      });
    }
  }
}
