import { AsyncResource } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import { childLogger, logger } from "./logger.ts";
import { httpDuration, httpRequests, METRICS_CONTENT_TYPE, renderMetrics } from "./metrics.ts";

const log = childLogger("http");
/**
 * The access line ("request completed") holds only fields written here (method, path without its query, status,
 * duration) and the request's ids, none of them secret: it skips the key-based redaction, whose wildcard paths
 * pino runs over every field of every line (about a tenth of a subgraph process's CPU, one line per fetch). The
 * scrubbing of the written text (logger.ts) still applies to it, as to every line.
 */
const accessLog = logger.child({ component: "http" }, { redact: [] });

/** The route label of a path: a fixed set, so scanners probing random URLs make no new series. */
export function routeOf(path: string): string {
  if (path === "/graphql" || path === "/health" || path === "/ready" || path === "/metrics" || path === "/") return path;
  if (path.startsWith("/internal/")) return "/internal";
  return "other";
}

/**
 * Observes one HTTP request from its arrival to its answer: a debug line with its (redacted) headers when it
 * arrives, one line when it is answered (info for GraphQL, debug for probes and other routes), the request
 * counter and the duration histogram. Call it inside the request's context.
 */
export function observeHttpRequest(request: IncomingMessage, response: ServerResponse): void {
  const started = process.hrtime.bigint();
  const path = (request.url ?? "/").split("?")[0]!;
  const route = routeOf(path);
  if (log.isLevelEnabled("debug")) log.debug({ method: request.method, path, headers: request.headers }, "request received");
  response.once(
    "finish",
    AsyncResource.bind(() => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const method = request.method === "GET" || request.method === "POST" ? request.method : "other";
      httpRequests.inc({ route, method, status: String(response.statusCode) });
      httpDuration.observe({ route }, seconds);
      const level = route === "/graphql" ? "info" : "debug";
      if (accessLog.isLevelEnabled(level)) {
        accessLog[level]({ method: request.method, path, status: response.statusCode, durationMs: Math.round(seconds * 10_000) / 10 }, "request completed");
      }
    }),
  );
}

/** Answers GET /metrics with this process's metrics, in Prometheus' text format. */
export async function sendMetrics(response: ServerResponse): Promise<void> {
  const text = await renderMetrics();
  response.statusCode = 200;
  response.setHeader("content-type", METRICS_CONTENT_TYPE);
  response.end(text);
}
