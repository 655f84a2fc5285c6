import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { childLogger } from "./logger.ts";

/**
 * OpenTelemetry traces, exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set,
 * configured by the standard OTEL_* variables (OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, OTEL_BSP_*...). Without an
 * endpoint the SDK is never loaded: only @opentelemetry/api, whose calls are no-ops, and every helper below
 * returns before creating anything.
 */
export const tracer = trace.getTracer("monograph");

let provider: { shutdown(): Promise<void>; forceFlush(): Promise<void> } | undefined;

/** True once `startTracing` loaded the SDK in this process. */
export function tracingEnabled(): boolean {
  return provider !== undefined;
}

/**
 * Loads the tracing SDK and registers it globally (tracer provider, AsyncLocalStorage context manager, W3C trace
 * context propagation), if an OTLP endpoint is configured. No resource detectors run: nothing probes cloud
 * metadata hosts. Call once, first thing in an entry point.
 */
export async function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (provider) return true;
  if (env.OTEL_SDK_DISABLED === "true") return false;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return false;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const nodeProvider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? `monograph-${service}`, "monograph.service": service }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  nodeProvider.register();
  provider = nodeProvider;
  childLogger("tracing").info({ endpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT }, "exporting traces over OTLP/HTTP");
  return true;
}

/** Exports the spans still buffered and stops tracing; for a clean stop. */
export async function stopTracing(): Promise<void> {
  const current = provider;
  provider = undefined;
  await current?.shutdown().catch(() => undefined);
}

/** Runs `fn` inside a new active span; ends it when `fn` settles, recording a failure. No SDK, no span. */
export function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes; parent?: Context }, fn: (span?: Span) => Promise<T>): Promise<T> {
  if (!provider) return fn();
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The trace context a carrier (headers, an outbox row) holds. */
export function contextFrom(carrier: Record<string, string | string[] | undefined> | null | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!provider || !carrier) return base;
  return propagation.extract(base, carrier, {
    get: (headers, key) => headers[key],
    keys: (headers) => Object.keys(headers),
  });
}

/** The current trace context as a small carrier (`traceparent`, `tracestate`) to store or send; undefined when untraced. */
export function currentTraceCarrier(): Record<string, string> | undefined {
  if (!provider) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/**
 * Runs a server's handling of one HTTP request under a SERVER span that continues the caller's trace (its
 * `traceparent`), ended when the response is sent.
 */
export function withServerSpan(name: string, headers: Record<string, string | string[] | undefined>, whenDone: (end: () => void) => void, fn: () => void): void {
  if (!provider) return fn();
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, contextFrom(headers, context.active()));
  whenDone(() => span.end());
  context.with(trace.setSpan(context.active(), span), fn);
}

/** SQL statement spans (and nothing else) go through here, so their cost with tracing off is one check. */
export function sqlSpan<T>(sql: string, statement: string, run: () => Promise<T>): Promise<T> {
  if (!provider || !trace.getActiveSpan()) return run();
  return inSpan(`sql ${statement}`, { kind: SpanKind.CLIENT, attributes: { "db.system": "postgresql", "db.statement": sql.length > 2_000 ? `${sql.slice(0, 2_000)}…` : sql } }, run);
}
