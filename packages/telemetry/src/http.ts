import type { IncomingMessage, ServerResponse } from "node:http";
import { bindToRequestContext, requestLogFields, type RequestContext } from "./context.ts";
import { telemetryOff } from "./env.ts";
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
 * counter and the duration histogram. `context` is the request's (its lines carry its id).
 */
export function observeHttpRequest(request: IncomingMessage, response: ServerResponse, context?: RequestContext): void {
  if (telemetryOff.has("metrics") && telemetryOff.has("logs")) return;
  const started = process.hrtime.bigint();
  const path = (request.url ?? "/").split("?")[0]!;
  const route = routeOf(path);
  if (log.isLevelEnabled("debug")) log.debug({ ...requestLogFields(context), method: request.method, path, headers: request.headers }, "request received");
  response.once(
    "finish",
    bindToRequestContext(() => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const method = request.method === "GET" || request.method === "POST" ? request.method : "other";
      if (!telemetryOff.has("metrics")) {
        httpRequests.inc({ route, method, status: String(response.statusCode) });
        httpDuration.observe({ route }, seconds);
      }
      const level = route === "/graphql" ? "info" : "debug";
      if (!telemetryOff.has("logs") && accessLog.isLevelEnabled(level)) {
        accessLog[level]({ ...requestLogFields(context), method: request.method, path, status: response.statusCode, durationMs: Math.round(seconds * 10_000) / 10 }, "request completed");
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
