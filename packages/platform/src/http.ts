import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from "@apollo/server";
import { EdgeErrorCode } from "./errors.ts";
import { DEFAULT_OPERATION_LIMITS, screenDocument, type OperationLimits } from "./limits.ts";
import {
  attachRequestContext,
  childLogger,
  forRequest,
  observeHttpRequest,
  REQUEST_ID_HEADER,
  requestIdFrom,
  routeOf,
  runWithRequestContext,
  sendMetrics,
  withServerSpan,
} from "@monograph/telemetry";

/** Every server Monograph starts returns this: where it listens, and how to stop it. */
export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  /** The GraphQL endpoint, `${url}/graphql`. */
  graphqlUrl: string;
  stop(): Promise<void>;
}

export type ReadinessCheck = () => Promise<void>;

export interface HttpServerOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  context: (request: IncomingMessage) => Promise<TContext>;
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** Named checks behind GET /ready; each throws when its dependency is not usable. */
  readiness?: Record<string, ReadinessCheck>;
  /** Routes served before GraphQL (the gateway's explorer). Return true when the request was answered. */
  extraRoutes?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean> | boolean;
  /** Called once the HTTP server has closed, to release what the server owned (databases, connections). */
  onStop?: () => Promise<void>;
  /** Bounds on what one client can make this server hold; DEFAULT_HTTP_EDGE for what is not given. */
  edge?: Partial<HttpEdgeOptions>;
  /** The same limits Apollo is built with; the front screens every document's tokens and nesting with them. */
  limits?: OperationLimits;
  /** GET /metrics (Prometheus) on this port. Default true; false when METRICS_PORT serves them elsewhere. */
  metrics?: boolean;
  /** Name of the trace span of a GraphQL request (a subgraph's is `subgraph <name>`). Default `POST /graphql`. */
  graphqlSpanName?: string;
  /**
   * Decides whether a /graphql request may go on, once its body is read and before Apollo parses anything (a
   * sealed subgraph answers only the gateway's signed requests). Return a refusal to answer with it instead.
   */
  authorize?: (request: IncomingMessage, rawBody: Buffer) => Promise<HttpRefusal | undefined>;
}

/** An answer to a request that may not go on: its HTTP status and the coded GraphQL error it carries. */
export interface HttpRefusal {
  status: number;
  code: string;
  message: string;
}

const log = childLogger("http");

/** What the HTTP front allows one request (docs/adr/0007-operation-limits-and-http-edge.md). */
export interface HttpEdgeOptions {
  /** A larger body is refused with 413 before it is read to the end. */
  maxBodyBytes: number;
  /** A client must have sent all its headers within this (Node's default is 60 s). */
  headersTimeoutMs: number;
  /** ...and its whole request, body included, within this (Node's default is 300 s). */
  requestTimeoutMs: number;
  /** Past this, a GraphQL request is answered 504 REQUEST_TIMEOUT (its work may still finish). Unset: no deadline. */
  deadlineMs?: number;
  /** Requests being served at once; one more is answered 503 OVERLOADED. /health and /ready do not count. */
  maxInFlight: number;
  /** Origins a browser may call from (CORS); any other origin gets no CORS headers. */
  corsOrigins: readonly string[];
  /** Operations in one batched request (a JSON array); 1 turns batching off. */
  maxBatch: number;
}

export const DEFAULT_HTTP_EDGE: HttpEdgeOptions = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  deadlineMs: undefined,
  maxInFlight: 256,
  corsOrigins: [],
  maxBatch: 10,
});

/** A request answered by the front itself, with a status, a code and a message. */
class EdgeRefusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * A small node:http front for Apollo Server: /graphql, GET /health (the process is alive) and GET /ready (its
 * dependencies answer). Apollo Server 5 has no built-in HTTP framework binding; this keeps the dependency list
 * short and the same for the gateway and every subgraph.
 */
export async function startHttpServer<TContext extends BaseContext>(options: HttpServerOptions<TContext>): Promise<RunningServer> {
  const { apollo } = options;
  const edge: HttpEdgeOptions = { ...DEFAULT_HTTP_EDGE, ...options.edge };
  await apollo.start();
  const inFlight = new InFlight(edge.maxInFlight);
  const server = createServer(
    {
      headersTimeout: edge.headersTimeoutMs,
      requestTimeout: edge.requestTimeoutMs,
      // Node looks for sockets past those timeouts every 30 s by default: a slow client could hold on that long more.
      connectionsCheckingInterval: Math.min(1_000, edge.headersTimeoutMs),
    },
    (request, response) => {
      // Every line logged while serving this request carries its id (the caller's x-request-id when it is sane).
      const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
      response.setHeader(REQUEST_ID_HEADER, requestId);
      const route = routeOf((request.url ?? "/").split("?")[0]!);
      const spanName = route === "/graphql" ? (options.graphqlSpanName ?? "POST /graphql") : `${request.method} ${route}`;
      const traced = route !== "/health" && route !== "/ready" && route !== "/metrics";
      // Carried explicitly (the GraphQL contexts read it with requestContextOf), and across awaits when tracing is on.
      const context = { requestId };
      attachRequestContext(request, context);
      runWithRequestContext(context, () => {
        const serve = () => {
          observeHttpRequest(request, response, context);
          admit(inFlight, request, response, () => handle(options, edge, request, response)).catch((error: unknown) => {
            if (isClientGone(error, request)) return void response.destroy();
            forRequest(log, context).error({ err: error }, "unhandled error");
            if (!response.headersSent) sendJson(response, 500, { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
            else response.end();
          });
        };
        // A SERVER span continuing the caller's traceparent; without tracing, just serve.
        if (traced) withServerSpan(spanName, request.headers, (end) => response.once("close", end), serve);
        else serve();
      });
    },
  );
  server.on("clientError", answerClientError);
  // Keep-alive sockets from the gateway's fetch pool must not keep a stopping server alive.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    stop: () => {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await apollo.stop();
        await options.onStop?.();
      })();
      return stopping;
    },
  };
}

async function handle<TContext extends BaseContext>(
  options: HttpServerOptions<TContext>,
  edge: HttpEdgeOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (request.method === "GET" && url.pathname === "/health") return sendJson(response, 200, { status: "ok" });
  if (request.method === "GET" && url.pathname === "/ready") return sendReadiness(response, options.readiness ?? {});
  if (request.method === "GET" && url.pathname === "/metrics" && options.metrics !== false) return sendMetrics(response);
  if (options.extraRoutes && (await options.extraRoutes(request, response))) return;
  if (url.pathname !== "/graphql") return sendJson(response, 404, { error: "Not found" });
  if (answerCors(edge.corsOrigins, request, response)) return;

  const raw = request.method === "POST" ? await readRawBody(request, edge.maxBodyBytes) : Buffer.alloc(0);
  if (raw instanceof EdgeRefusal) return sendRefusal(response, raw);
  // Before anything is parsed: a sealed subgraph answers a stranger's document without looking at it.
  const denied = await options.authorize?.(request, raw);
  if (denied) return sendJson(response, denied.status, { errors: [{ message: denied.message, extensions: { code: denied.code } }] });
  const body = request.method === "POST" ? parseJsonBody(request, raw) : undefined;
  const refusal = body instanceof EdgeRefusal ? body : (refuseBatch(body, edge.maxBatch) ?? screenDocuments(body, url, options.limits));
  if (refusal) return sendRefusal(response, refusal);
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const result = await beforeDeadline(
    options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? "GET", headers, search: url.search, body },
      context: () => options.context(request),
    }),
    edge.deadlineMs,
  );
  if (result instanceof EdgeRefusal) return sendRefusal(response, result);
  for (const [name, value] of result.headers) response.setHeader(name, value);
  response.statusCode = result.status ?? 200;
  if (result.body.kind === "complete") {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

async function sendReadiness(response: ServerResponse, checks: Record<string, ReadinessCheck>): Promise<void> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), 2_000);
        return [name, "ok"] as const;
      } catch {
        // Only the name of the failing dependency: the reason may contain connection strings.
        return [name, "unavailable"] as const;
      }
    }),
  );
  const ready = results.every(([, status]) => status === "ok");
  sendJson(response, ready ? 200 : 503, { status: ready ? "ready" : "unavailable", checks: Object.fromEntries(results) });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timed out")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function readRawBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | EdgeRefusal> {
  const tooLarge = () => new EdgeRefusal(413, EdgeErrorCode.PAYLOAD_TOO_LARGE, `Request body is larger than ${maxBytes} bytes.`, { connection: "close" });
  // A declared length over the limit is refused before a byte of it is read.
  if (Number(request.headers["content-length"] ?? 0) > maxBytes) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJsonBody(request: IncomingMessage, raw: Buffer): unknown {
  const text = raw.toString("utf8");
  if (text.length === 0) return undefined;
  const contentType = request.headers["content-type"] ?? "";
  if (!contentType.includes("application/json")) return text;
  try {
    return JSON.parse(text);
  } catch {
    return new EdgeRefusal(400, "BAD_REQUEST", "Request body is not valid JSON.");
  }
}

/** A batch (a JSON array of operations, as Apollo Client's BatchHttpLink sends) may hold at most maxBatch. */
function refuseBatch(body: unknown, maxBatch: number): EdgeRefusal | undefined {
  if (!Array.isArray(body) || body.length <= maxBatch) return undefined;
  return new EdgeRefusal(400, EdgeErrorCode.BATCH_LIMIT_EXCEEDED, `A batch may hold at most ${maxBatch} operations, found ${body.length}.`);
}

/**
 * Every document of the request (a POST body, each operation of a batch, a GET's `query`) is screened before
 * Apollo parses it: graphql-js's parser is recursive, and a document nested deep enough exhausts its stack.
 */
function screenDocuments(body: unknown, url: URL, limits: OperationLimits = DEFAULT_OPERATION_LIMITS): EdgeRefusal | undefined {
  const queries = [url.searchParams.get("query"), ...(Array.isArray(body) ? body : [body]).map((piece) => (piece as { query?: unknown } | null)?.query)];
  for (const query of queries) {
    const refused = typeof query === "string" ? screenDocument(query, limits) : undefined;
    if (refused) return new EdgeRefusal(400, refused.code, refused.message);
  }
  return undefined;
}

/**
 * CORS for the origins on the allow-list: their preflight is answered here, and their requests get the headers a
 * browser needs to read the answer. Any other origin gets no CORS headers, so a browser keeps the answer from the
 * page that asked. Apollo's CSRF prevention still applies to every request that reaches it. True when answered.
 */
function answerCors(origins: readonly string[], request: IncomingMessage, response: ServerResponse): boolean {
  const origin = request.headers.origin;
  if (origins.length > 0) response.setHeader("vary", "origin");
  const allowed = origin !== undefined && origins.includes(origin);
  if (allowed) {
    response.setHeader("access-control-allow-origin", origin);
    response.setHeader("access-control-expose-headers", "retry-after");
  }
  if (request.method !== "OPTIONS") return false;
  if (allowed) {
    response.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
    response.setHeader(
      "access-control-allow-headers",
      "authorization, content-type, apollo-require-preflight, x-apollo-operation-name, apollographql-client-name, apollographql-client-version",
    );
    response.setHeader("access-control-max-age", "600");
  }
  response.statusCode = 204;
  response.end();
  return true;
}

const TIMED_OUT = Symbol("timed out");

/** Apollo's answer, or a 504 refusal once the deadline passes; the work itself goes on (nothing can cancel it). */
async function beforeDeadline(work: Promise<HTTPGraphQLResponse>, deadlineMs: number | undefined): Promise<HTTPGraphQLResponse | EdgeRefusal> {
  if (deadlineMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    work,
    new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), deadlineMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (outcome !== TIMED_OUT) return outcome;
  // Whatever it ends with, nobody is waiting for it any more.
  work.catch(() => undefined);
  return new EdgeRefusal(504, EdgeErrorCode.REQUEST_TIMEOUT, `The request did not complete within ${deadlineMs} ms.`);
}

/** Counts the requests being served; one over the bound waits for nothing and is told to retry. */
class InFlight {
  count = 0;
  constructor(readonly max: number) {}
}

/**
 * Serves a request within the in-flight bound. Probes (/health, /ready) always pass: an orchestrator must see an
 * overloaded process as alive. A slot is held until the work ends, not when a deadline answers for it, so the
 * bound is on the work the process does.
 */
async function admit(inFlight: InFlight, request: IncomingMessage, response: ServerResponse, serve: () => Promise<void>): Promise<void> {
  const path = (request.url ?? "/").split("?")[0];
  if (path === "/health" || path === "/ready" || path === "/metrics") return serve();
  if (inFlight.count >= inFlight.max) {
    request.resume();
    return sendRefusal(response, new EdgeRefusal(503, EdgeErrorCode.OVERLOADED, "The server is busy; try again shortly.", { "retry-after": "1" }));
  }
  inFlight.count += 1;
  try {
    await serve();
  } finally {
    inFlight.count -= 1;
  }
}

function sendRefusal(response: ServerResponse, refusal: EdgeRefusal): void {
  for (const [name, value] of Object.entries(refusal.headers)) response.setHeader(name, value);
  sendJson(response, refusal.status, { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
}

/**
 * What Node's HTTP parser refuses before any handler runs (bad HTTP, headers too large, too slow) gets a coded
 * JSON answer like every other error, then the socket is closed.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // As Node's own handler: never write into a response already under way on this socket (it would corrupt it).
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) return void socket.destroy();
  const [status, reason, code] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", EdgeErrorCode.HEADERS_TOO_LARGE]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", EdgeErrorCode.REQUEST_TIMEOUT]
        : [400, "Bad Request", "BAD_REQUEST"];
  const body = JSON.stringify({ errors: [{ message: reason, extensions: { code } }] });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function isClientGone(error: unknown, request: IncomingMessage): boolean {
  return request.destroyed || (error instanceof Error && "code" in error && (error.code === "ECONNRESET" || error.code === "ERR_STREAM_PREMATURE_CLOSE"));
}

/**
 * The whole body of a small service-to-service request, or undefined when it is larger than maxBytes. It is read to
 * the end even then: leaving the loop early would destroy the socket before the answer is sent.
 */
export async function readBodyUpTo(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  return size > maxBytes ? undefined : Buffer.concat(chunks);
}

export function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  response.statusCode = status;
  response.setHeader("content-type", "application/json; charset=utf-8");
  response.end(JSON.stringify(payload));
}
