import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";
import { childLogger, observeHttpRequest, REQUEST_ID_HEADER, requestIdFrom, routeOf, runWithRequestContext, sendMetrics, withServerSpan } from "@monograph/telemetry";

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
  /** GET /metrics (Prometheus) on this port. Default true; false when METRICS_PORT serves them elsewhere. */
  metrics?: boolean;
  /** Name of the trace span of a GraphQL request (a subgraph's is `subgraph <name>`). Default `POST /graphql`. */
  graphqlSpanName?: string;
}

const log = childLogger("http");

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A small node:http front for Apollo Server: /graphql, GET /health (the process is alive) and GET /ready (its
 * dependencies answer). Apollo Server 5 has no built-in HTTP framework binding; this keeps the dependency list
 * short and the same for the gateway and every subgraph.
 */
export async function startHttpServer<TContext extends BaseContext>(options: HttpServerOptions<TContext>): Promise<RunningServer> {
  const { apollo } = options;
  await apollo.start();
  const server = createServer((request, response) => {
    // Every line logged while serving this request carries its id (the caller's x-request-id when it is sane).
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const route = routeOf((request.url ?? "/").split("?")[0]!);
    const spanName = route === "/graphql" ? (options.graphqlSpanName ?? "POST /graphql") : `${request.method} ${route}`;
    const traced = route !== "/health" && route !== "/ready" && route !== "/metrics";
    runWithRequestContext({ requestId }, () => {
      const serve = () => {
        observeHttpRequest(request, response);
        handle(options, request, response).catch((error: unknown) => {
          log.error({ err: error }, "unhandled error");
          if (!response.headersSent) sendJson(response, 500, { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
          else response.end();
        });
      };
      // A SERVER span continuing the caller's traceparent; without tracing, just serve.
      if (traced) withServerSpan(spanName, request.headers, (end) => response.once("close", end), serve);
      else serve();
    });
  });
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
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (request.method === "GET" && url.pathname === "/health") return sendJson(response, 200, { status: "ok" });
  if (request.method === "GET" && url.pathname === "/ready") return sendReadiness(response, options.readiness ?? {});
  if (request.method === "GET" && url.pathname === "/metrics" && options.metrics !== false) return sendMetrics(response);
  if (options.extraRoutes && (await options.extraRoutes(request, response))) return;
  if (url.pathname !== "/graphql") return sendJson(response, 404, { error: "Not found" });

  const body = request.method === "POST" ? await readJsonBody(request) : undefined;
  if (body instanceof Error) {
    return sendJson(response, 400, { errors: [{ message: body.message, extensions: { code: "BAD_REQUEST" } }] });
  }
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const result = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method ?? "GET", headers, search: url.search, body },
    context: () => options.context(request),
  });
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

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return new Error("Request body is too large.");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.length === 0) return undefined;
  const contentType = request.headers["content-type"] ?? "";
  if (!contentType.includes("application/json")) return text;
  try {
    return JSON.parse(text);
  } catch {
    return new Error("Request body is not valid JSON.");
  }
}

export function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  response.statusCode = status;
  response.setHeader("content-type", "application/json; charset=utf-8");
  response.end(JSON.stringify(payload));
}
