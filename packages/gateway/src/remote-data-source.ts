import http from "node:http";
import { type GraphQLDataSource, type GraphQLDataSourceProcessOptions, type RemoteGraphQLDataSource } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { ANONYMOUS, CALLER_HEADER, childLogger, ErrorCode, forRequest, propagationHeaders, signRequestNow, type Caller } from "@monograph/platform";
import { GraphQLError } from "graphql";
import type { GatewayContext } from "./context.ts";
import { ConcurrencyLimit, currentDeadline, DEFAULT_SUBGRAPH_CALL_POLICY, isIdempotentOperation, withDeadline, type SubgraphCallPolicy } from "./subgraph-deadlines.ts";

const log = childLogger("gateway");

type Fetcher = RemoteGraphQLDataSource["fetcher"];

/**
 * Idle keep-alive sockets are dropped after this, before the subgraph's server closes them (it does after 5 s,
 * startHttpServer's keepAliveTimeout): a request is then never written into a socket the server is closing.
 */
const IDLE_SOCKET_MS = 4_000;

/**
 * Calls a subgraph running in another process. Each fetch carries the caller in CALLER_HEADER, signed with the
 * internal secret for that very request (sha256 of the body bytes sent, 30 s): the subgraph answers nothing else,
 * and a captured header cannot be replayed with another query. A subgraph that cannot be reached, or answers
 * anything but a 2xx JSON body, becomes a SERVICE_UNAVAILABLE error naming the service, never its internal address.
 *
 * Every fetch has a deadline (`policy.timeoutMs`, waiting for a slot included) and at most
 * `policy.maxConcurrency` fetches are in flight to the subgraph; queries and entity fetches that could not connect
 * are sent once more, mutations never (they may have taken effect).
 *
 * It sends what @apollo/gateway's RemoteGraphQLDataSource sends (a POST of `{ query, variables, operationName }`),
 * and honours the subgraph's `cache-control` as it does, but over node:http with a keep-alive pool of its own
 * instead of fetch: the WHATWG fetch of Node 20 (undici's Request, Headers, streams and an AbortSignal per call,
 * plus the node-fetch Request RemoteGraphQLDataSource builds besides) was about a quarter of the gateway's CPU
 * over HTTP, for 16 small requests per client request on the benchmark's workload.
 */
export class SignedRemoteDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly policy: SubgraphCallPolicy;
  private readonly limit: ConcurrencyLimit;
  private readonly target: URL;
  private readonly agent: http.Agent;

  constructor(
    private readonly subgraphName: string,
    url: string,
    private readonly internalSecret: string,
    policy: Partial<SubgraphCallPolicy> = {},
  ) {
    this.policy = { ...DEFAULT_SUBGRAPH_CALL_POLICY, ...policy };
    this.limit = new ConcurrencyLimit(this.policy.maxConcurrency);
    this.target = new URL(url);
    if (this.target.protocol !== "http:") throw new Error(`Subgraph "${subgraphName}": only http:// URLs are supported, not ${this.target.protocol}`);
    // One socket per fetch in flight at most (the concurrency limit bounds those), kept open between fetches.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.policy.maxConcurrency, timeout: IDLE_SOCKET_MS, scheduling: "lifo" });
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (!request.query) throw new Error("Missing query");
    try {
      const { body, cacheControl } = await withDeadline(this.limit, this.policy, isIdempotentOperation(request.query), () => this.send(options));
      const overallCachePolicy = "incomingRequestContext" in options ? options.incomingRequestContext.overallCachePolicy : undefined;
      // As RemoteGraphQLDataSource: the answer may be cached no longer than the subgraph says (not at all, unsaid).
      if (overallCachePolicy && "restrict" in overallCachePolicy) overallCachePolicy.restrict(cacheHint(cacheControl));
      return body;
    } catch (error) {
      // GraphQL errors arrive inside a successful response; a throw here means no usable response at all
      // (refused connection, deadline, no free slot, 5xx), which the client can only retry.
      forRequest(log, (options.context as Partial<GatewayContext>).request).error({ err: error, subgraph: this.subgraphName }, `subgraph ${this.subgraphName} failed`);
      throw new GraphQLError(`The ${this.subgraphName} service is unavailable. Try again shortly.`, {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, service: this.subgraphName },
      });
    }
  }

  /** One POST to the subgraph: its JSON answer, or a throw (connection, deadline, status, not JSON). */
  private send(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<{ body: GatewayGraphQLResponse; cacheControl: string | undefined }> {
    const { query, operationName, variables, extensions } = options.request;
    const body = JSON.stringify({ query, ...(operationName !== undefined ? { operationName } : {}), ...(variables !== undefined ? { variables } : {}), ...(extensions !== undefined ? { extensions } : {}) });
    const context = options.context as Partial<GatewayContext> | undefined;
    const caller = context?.caller ?? ANONYMOUS;
    const headers: Record<string, string | number> = {
      // The request id (and trace context) continue in the subgraph's process.
      ...propagationHeaders(context?.request),
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      [CALLER_HEADER]: signRequestNow(this.internalSecret, caller, { method: "POST", body }),
    };
    const signal = currentDeadline();
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        { agent: this.agent, protocol: "http:", hostname: this.target.hostname, port: this.target.port, path: `${this.target.pathname}${this.target.search}`, method: "POST", headers, signal },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("aborted", () => reject(new Error("the subgraph's answer was cut short")));
          response.on("end", () => {
            const status = response.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString("utf8");
            if (status < 200 || status >= 300) return reject(new Error(`HTTP ${status} from the subgraph: ${text.slice(0, 200)}`));
            const contentType = response.headers["content-type"] ?? "";
            if (!contentType.startsWith("application/json") && !contentType.startsWith("application/graphql-response+json")) {
              return reject(new Error(`Expected JSON response body, but received: ${text.slice(0, 200)}`));
            }
            try {
              const parsed = JSON.parse(text) as unknown;
              if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`Expected JSON response body, but received: ${text.slice(0, 200)}`);
              resolve({ body: parsed as GatewayGraphQLResponse, cacheControl: response.headers["cache-control"] });
            } catch (error) {
              reject(error as Error);
            }
          });
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }
}

/** RemoteGraphQLDataSource's reading of a subgraph's `cache-control` header. */
function cacheHint(header: string | undefined): { maxAge: number; scope?: "PRIVATE" | "PUBLIC" } {
  const hint: { maxAge: number; scope?: "PRIVATE" | "PUBLIC" } = { maxAge: 0 };
  if (!header) return hint;
  const directives = new Map<string, string | true>();
  for (const part of header.trim().split(/\s*,\s*/)) {
    const [name, value] = part.split(/\s*=\s*/, 2);
    directives.set(name!, value === undefined ? true : value.replace(/^"|"$/g, ""));
  }
  const maxAge = directives.get("max-age");
  if (typeof maxAge === "string" && /^[0-9]+$/.test(maxAge)) hint.maxAge = Number(maxAge);
  if (directives.get("private") === true) hint.scope = "PRIVATE";
  if (directives.get("public") === true) hint.scope = "PUBLIC";
  return hint;
}

/**
 * Carries the caller from a RemoteGraphQLDataSource's willSendRequest to signingFetcher, which alone sees the exact
 * body bytes. The fetcher removes it: it never leaves this process, and a subgraph would not trust it anyway.
 */
export const PENDING_CALLER = "x-monograph-caller-to-sign";

/**
 * Wraps a fetcher so that each request goes out with CALLER_HEADER signed for its method and exact body: for a
 * stock RemoteGraphQLDataSource calling Monograph's sealed subgraphs (the benchmark's stock gateway, the federation
 * semantics tests). The caller is read from PENDING_CALLER (JSON), anonymous without it.
 */
export function signingFetcher(internalSecret: string, fetcher: Fetcher): Fetcher {
  return (url, init = {}) => {
    const { [PENDING_CALLER]: pending, ...headers } = init.headers ?? {};
    const caller = pending ? (JSON.parse(pending) as Caller) : ANONYMOUS;
    // Per fetch, not once per client request: the signature is bound to the body, and every fetch of a query plan
    // has a body of its own (its operation, its entity representations). An HMAC costs a few microseconds.
    headers[CALLER_HEADER] = signRequestNow(internalSecret, caller, { method: init.method ?? "GET", body: init.body ?? "" });
    return fetcher(url, { ...init, headers });
  };
}
