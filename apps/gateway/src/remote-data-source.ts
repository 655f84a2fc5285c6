import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { ANONYMOUS, CALLER_HEADER, childLogger, ErrorCode, forRequest, propagationHeaders, signRequest, type Caller } from "@monograph/platform";
import { GraphQLError } from "graphql";
import type { GatewayContext } from "./context.ts";
import { ConcurrencyLimit, deadlineFetch, DEFAULT_SUBGRAPH_CALL_POLICY, isIdempotentOperation, withDeadline, type SubgraphCallPolicy } from "./subgraph-deadlines.ts";

const log = childLogger("gateway");

type Fetcher = RemoteGraphQLDataSource["fetcher"];

/**
 * Carries the caller from willSendRequest, which knows the request's context, to the fetcher, which alone sees the
 * exact body bytes (RemoteGraphQLDataSource serialises the body after willSendRequest). The fetcher removes it: it
 * never leaves this process, and a subgraph would not trust it anyway.
 */
const PENDING_CALLER = "x-monograph-caller-to-sign";

/**
 * Calls a subgraph running in another process. Each fetch carries the caller in CALLER_HEADER, signed with the
 * internal secret for that very request (sha256 of the body bytes sent, 30 s): the subgraph answers nothing else,
 * and a captured header cannot be replayed with another query. A subgraph that cannot be reached becomes a
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
    super({ url, fetcher: signingFetcher(internalSecret, deadlineFetch) });
    this.policy = { ...DEFAULT_SUBGRAPH_CALL_POLICY, ...policy };
    this.limit = new ConcurrencyLimit(this.policy.maxConcurrency);
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const caller = (options.context as Partial<GatewayContext>).caller ?? ANONYMOUS;
    options.request.http?.headers.set(PENDING_CALLER, JSON.stringify(caller));
    // The request id (and trace context) continue in the subgraph's process.
    const request = (options.context as Partial<GatewayContext>).request;
    for (const [name, value] of Object.entries(propagationHeaders(request))) options.request.http?.headers.set(name, value);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await withDeadline(this.limit, this.policy, isIdempotentOperation(options.request.query), () => super.process(options));
    } catch (error) {
      // GraphQL errors arrive inside a successful response; a throw here means no usable response at all
      // (refused connection, deadline, no free slot, 5xx), which the client can only retry.
      forRequest(log, (options.context as Partial<GatewayContext>).request).error({ err: error, subgraph: this.subgraphName }, `subgraph ${this.subgraphName} failed`);
      throw new GraphQLError(`The ${this.subgraphName} service is unavailable. Try again shortly.`, {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, service: this.subgraphName },
      });
    }
  }
}

/** Wraps a fetcher so that each request goes out with CALLER_HEADER signed for its method and exact body. */
export function signingFetcher(internalSecret: string, fetcher: Fetcher): Fetcher {
  return async (url, init = {}) => {
    const { [PENDING_CALLER]: pending, ...headers } = init.headers ?? {};
    const caller = pending ? (JSON.parse(pending) as Caller) : ANONYMOUS;
    headers[CALLER_HEADER] = await signRequest(internalSecret, caller, { method: init.method ?? "GET", body: init.body ?? "" });
    return fetcher(url, { ...init, headers });
  };
}
