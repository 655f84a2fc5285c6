import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { useAmbientRequestContext } from "./context.ts";
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
  // The SDK's context manager is an AsyncLocalStorage: with its cost paid, request ids follow every line too.
  useAmbientRequestContext();
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

/**
 * Wraps one GraphQL resolver so that, with tracing on, a call that returns a promise gets a span `name`
 * (`resolve Order.items`), active while the resolver runs: the SQL it issues nests under it. Decided when the
 * schema is built: without tracing the resolver is returned as it is, and costs nothing.
 *
 * A call that returns a plain value (a field computed from its parent) did no I/O it waits for: its span is
 * started but never ended, so it is never exported, and the trace is not flooded with one span per field of
 * every list item. DataLoader batches run in the context of the resolver whose `load` started the batch, so a
 * batch's SQL appears under the first resolver that asked for it.
 */
export function tracedResolver<F extends (...args: never[]) => unknown>(name: string, attributes: Attributes, resolve: F, pathOf?: (args: Parameters<F>) => string | undefined): F {
  if (!provider) return resolve;
  return function (this: unknown, ...args: Parameters<F>) {
    const parent = context.active();
    if (!trace.getSpan(parent)) return resolve.apply(this, args);
    const path = pathOf?.(args);
    const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: path === undefined ? attributes : { ...attributes, "graphql.field.path": path } }, parent);
    const failed = (error: unknown) => {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      span.end();
    };
    let result: unknown;
    try {
      result = context.with(trace.setSpan(parent, span), () => resolve.apply(this, args));
    } catch (error) {
      failed(error);
      throw error;
    }
    if (!isPromiseLike(result)) return result;
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed(error);
        throw error;
      },
    );
  } as F;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
