import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { telemetryOff } from "./env.ts";
import { RequestPathHistogram } from "./histogram.ts";
import { sqlSpan } from "./tracing.ts";

/**
 * Prometheus metrics of one process (prom-client), served at GET /metrics. Every label value is bounded: names
 * come from a fixed list or pass `BoundedLabel`, never from raw client input.
 */
export const registry = new Registry();
if (!telemetryOff.has("metrics")) collectDefaultMetrics({ register: registry, prefix: "monograph_" });

/**
 * Admits at most `max` distinct values that match `pattern`; anything else becomes `fallback`. Operation names
 * and error codes come from clients and subgraphs: an attacker sending a million names must not make a million
 * series. (A safelist of operations, when there is one, should replace the first-come rule.)
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();
  constructor(
    private readonly max: number,
    private readonly pattern: RegExp,
    private readonly fallback: string,
  ) {}

  of(value: string | null | undefined): string {
    if (!value) return this.fallback;
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max || !this.pattern.test(value)) return this.fallback;
    this.seen.add(value);
    return value;
  }
}

export const operationNames = new BoundedLabel(200, /^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "unknown");
export const errorCodes = new BoundedLabel(100, /^[A-Z][A-Z0-9_]{0,63}$/, "OTHER");
export const eventTypes = new BoundedLabel(100, /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*){1,3}$/, "other");

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequests = new Counter({
  name: "monograph_http_requests_total",
  help: "HTTP requests answered, by route and status code.",
  labelNames: ["route", "method", "status"] as const,
  registers: [registry],
});
export const httpDuration = new RequestPathHistogram(
  "monograph_http_request_duration_seconds",
  "Time to answer an HTTP request, by route.",
  ["route"],
  LATENCY_BUCKETS,
  [registry],
);
export const graphqlRequests = new Counter({
  name: "monograph_graphql_requests_total",
  help: "GraphQL operations served by the gateway, by operation name, type and outcome (success, error).",
  labelNames: ["operation", "type", "outcome"] as const,
  registers: [registry],
});
export const graphqlDuration = new RequestPathHistogram(
  "monograph_graphql_request_duration_seconds",
  "Time the gateway took for a GraphQL operation, by operation name and type.",
  ["operation", "type"],
  LATENCY_BUCKETS,
  [registry],
);
export const graphqlErrors = new Counter({
  name: "monograph_graphql_errors_total",
  help: "GraphQL errors sent to clients, by extensions.code.",
  labelNames: ["code"] as const,
  registers: [registry],
});
export const operationsRefused = new Counter({
  name: "monograph_operations_refused_total",
  help: "Operations refused before execution by a limit (codes ending in _LIMIT_EXCEEDED, RATE_LIMITED, ...), by code.",
  labelNames: ["limit"] as const,
  registers: [registry],
});
export const subgraphFetchDuration = new RequestPathHistogram(
  "monograph_subgraph_fetch_duration_seconds",
  "Time of one fetch from the gateway to a subgraph (in-process or over HTTP), by subgraph.",
  ["subgraph"],
  LATENCY_BUCKETS,
  [registry],
);
export const subgraphFetchErrors = new Counter({
  name: "monograph_subgraph_fetch_errors_total",
  help: "Subgraph fetches that failed (unavailable: no usable answer; graphql: an answer with errors), by subgraph.",
  labelNames: ["subgraph", "kind"] as const,
  registers: [registry],
});
export const dbQueryDuration = new RequestPathHistogram(
  "monograph_db_query_duration_seconds",
  "SQL statement durations, by statement kind (select, insert, update, delete, other).",
  ["statement"],
  [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  [registry],
);
export const eventsHandled = new Counter({
  name: "monograph_events_handled_total",
  help: "Events a consumer handled successfully, by consumer and event type.",
  labelNames: ["consumer", "type"] as const,
  registers: [registry],
});
export const eventsFailed = new Counter({
  name: "monograph_events_failed_total",
  help: "Handler attempts that failed (the event is retried), by consumer and event type.",
  labelNames: ["consumer", "type"] as const,
  registers: [registry],
});
export const eventsRedelivered = new Counter({
  name: "monograph_events_redelivered_total",
  help: "Events delivered again to a consumer (after a failure, a lost ack or a restart), by consumer and event type.",
  labelNames: ["consumer", "type"] as const,
  registers: [registry],
});

/** Where the outbox gauges read from; registered by each process that relays an outbox. */
export type OutboxBacklogReader = () => Promise<{ source: string; pending: number; oldestAgeSeconds: number }[]>;
const backlogReaders = new Set<OutboxBacklogReader>();

/** Counts the outbox on each scrape (one small query), for as long as the returned function is not called. */
export function registerOutboxBacklog(reader: OutboxBacklogReader): () => void {
  backlogReaders.add(reader);
  return () => void backlogReaders.delete(reader);
}

async function readBacklog(): Promise<Map<string, { pending: number; oldestAgeSeconds: number }>> {
  const bySource = new Map<string, { pending: number; oldestAgeSeconds: number }>();
  for (const reader of backlogReaders) {
    for (const row of await reader().catch(() => [])) bySource.set(row.source, { pending: row.pending, oldestAgeSeconds: row.oldestAgeSeconds });
  }
  return bySource;
}

new Gauge({
  name: "monograph_outbox_backlog",
  help: "Outbox rows not yet delivered, by source.",
  labelNames: ["source"] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const [source, row] of await readBacklog()) this.set({ source }, row.pending);
  },
});
new Gauge({
  name: "monograph_outbox_oldest_age_seconds",
  help: "Age of the oldest outbox row not yet delivered, by source (0 when none waits).",
  labelNames: ["source"] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const [source, row] of await readBacklog()) this.set({ source }, row.oldestAgeSeconds);
  },
});

const REFUSAL = /(_LIMIT_EXCEEDED|^RATE_LIMITED|^OPERATION_NOT_ALLOWED|^PERSISTED_QUERY_NOT_FOUND|_TOO_LARGE)$/;

/** Counts the errors of one answer by code, and a refusal by its limit. */
export function countGraphQLErrors(codes: readonly (string | undefined)[]): void {
  for (const raw of codes) {
    const code = errorCodes.of(raw ?? "INTERNAL_SERVER_ERROR");
    graphqlErrors.inc({ code });
    if (raw && REFUSAL.test(raw)) operationsRefused.inc({ limit: code });
  }
}

/**
 * The statement kind of a SQL text, for the database histogram. Read from the first keyword, without hashing or
 * scanning the whole text (Prisma's statements run to kilobytes); only a `WITH` statement needs the pattern, which
 * finds the kind of its main statement after the common table expressions.
 */
export function statementKind(sql: string): string {
  let start = 0;
  while (start < sql.length && sql.charCodeAt(start) <= 32) start += 1;
  const head = sql.slice(start, start + 9).toLowerCase();
  for (const kind of LEADING_KINDS) {
    if (head.startsWith(kind) && !WORD_CHARACTER.test(head.charAt(kind.length))) return kind;
  }
  if (!(head.startsWith("with") && !WORD_CHARACTER.test(head.charAt(4)))) return "other";
  const match = /^\s*with\b[\s\S]*?\)\s*(select|insert|update|delete)\b/i.exec(sql);
  return match ? match[1]!.toLowerCase() : "other";
}
const LEADING_KINDS = ["select", "insert", "update", "delete", "begin", "commit", "rollback"] as const;
const WORD_CHARACTER = /\w/;

export const METRICS_CONTENT_TYPE = registry.contentType;

/** The text exposition of every metric of this process. */
export function renderMetrics(): Promise<string> {
  return registry.metrics();
}

export interface MetricsServer {
  url: string;
  stop(): Promise<void>;
}

/** Serves GET /metrics alone on its own port (METRICS_PORT), so the metrics need not be public. */
export async function startMetricsServer(port: number, host = "127.0.0.1"): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== "GET" || (request.url ?? "/").split("?")[0] !== "/metrics") {
      response.statusCode = 404;
      response.end();
      return;
    }
    renderMetrics().then(
      (text) => {
        response.setHeader("content-type", METRICS_CONTENT_TYPE);
        response.end(text);
      },
      () => {
        response.statusCode = 500;
        response.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Times one SQL statement (histogram by statement kind) and, with tracing on, gives it a span. It hands back the
 * statement's own promise, timed on the side, rather than an async function's: one promise and its ticks fewer per
 * statement (issue 9's cost bound). A statement that throws synchronously is timed too, and rethrown.
 */
export function observeSql<T>(sql: string, run: () => Promise<T>): Promise<T> {
  const statement = statementKind(sql);
  const started = process.hrtime.bigint();
  const observe = () => dbQueryDuration.observe({ statement }, Number(process.hrtime.bigint() - started) / 1e9);
  let result: Promise<T>;
  try {
    result = sqlSpan(sql, statement, run);
  } catch (error) {
    observe();
    throw error;
  }
  result.then(observe, observe);
  return result;
}
