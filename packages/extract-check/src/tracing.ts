import type { CheckRow } from "./types.ts";

/** What an OTLP exporter would do with this environment (the SDK's standard variables). */
export interface TracingConfig {
  endpoint?: string;
  /** Which variable gave the endpoint. */
  source?: string;
  problems: string[];
  serviceName?: string;
}

export function readTracingConfig(env: Record<string, string | undefined>): TracingConfig {
  const problems: string[] = [];
  const sdkDisabled = /^(true|1)$/i.test(env.OTEL_SDK_DISABLED ?? "");
  if (sdkDisabled) problems.push("OTEL_SDK_DISABLED=true turns the SDK off");
  const exporters = (env.OTEL_TRACES_EXPORTER ?? "").split(",").map((name) => name.trim()).filter(Boolean);
  if (exporters.includes("none")) problems.push("OTEL_TRACES_EXPORTER=none exports no traces");
  else if (exporters.length > 0 && !exporters.includes("otlp")) problems.push(`OTEL_TRACES_EXPORTER=${exporters.join(",")} does not export OTLP`);
  const source = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" : env.OTEL_EXPORTER_OTLP_ENDPOINT ? "OTEL_EXPORTER_OTLP_ENDPOINT" : undefined;
  const endpoint = source ? env[source] : undefined;
  if (!endpoint) problems.push("neither OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set");
  else {
    try {
      const url = new URL(endpoint);
      if (url.protocol !== "http:" && url.protocol !== "https:") problems.push(`${source}=${endpoint} is not an http(s) URL`);
    } catch {
      problems.push(`${source}=${endpoint} is not a URL`);
    }
  }
  return { endpoint, source, problems, serviceName: env.OTEL_SERVICE_NAME };
}

// --- OTLP JSON spans (ExportTraceServiceRequest, as the OTLP/HTTP JSON encoding and file exporters write it) ---

interface OtlpAnyValue {
  stringValue?: string;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  attributes?: OtlpKeyValue[];
}
interface OtlpExport {
  resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

export interface SpanRef {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service?: string;
  /** The subgraph the span says it is about (fetches name the subgraph they call). */
  subgraph?: string;
}

/** Span attributes that name a subgraph: ours and the ones Apollo's and OpenTelemetry's GraphQL instrumentations use. */
const SUBGRAPH_ATTRIBUTES = ["monograph.subgraph", "subgraph.name", "apollo.subgraph.name", "graphql.subgraph.name", "graphql.subgraph"];

const attribute = (attributes: OtlpKeyValue[] | undefined, key: string) => attributes?.find((a) => a.key === key)?.value?.stringValue;

/** Reads an OTLP JSON export: one JSON document, or one per line (the file exporter's format). */
export function parseOtlpJson(text: string): SpanRef[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  let documents: OtlpExport[];
  try {
    const whole = JSON.parse(trimmed) as OtlpExport | OtlpExport[];
    documents = Array.isArray(whole) ? whole : [whole];
  } catch {
    documents = trimmed.split(/\r?\n/).filter((line) => line.trim()).map((line) => JSON.parse(line) as OtlpExport);
  }
  const spans: SpanRef[] = [];
  for (const document of documents) {
    for (const resourceSpans of document.resourceSpans ?? []) {
      const service = attribute(resourceSpans.resource?.attributes, "service.name");
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          if (!span.traceId || !span.spanId) continue;
          const subgraph = SUBGRAPH_ATTRIBUTES.map((key) => attribute(span.attributes, key)).find(Boolean);
          spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId || undefined, name: span.name ?? "", service, subgraph });
        }
      }
    }
  }
  return spans;
}

/** A span is the domain's when its service is named after it (orders, monograph-orders, orders-subgraph). */
const isDomainService = (service: string | undefined, domain: string) => !!service && service.split(/[^a-z0-9]+/i).includes(domain);

/**
 * Traces that cross the domain's boundary: a parent and child span of which exactly one runs in the domain's
 * service (a remote call into or out of it), or a span of another service that names the domain as the subgraph it
 * fetches from.
 */
export function tracesCrossing(spans: readonly SpanRef[], domain: string): { traces: number; crossing: Set<string>; examples: string[] } {
  const byId = new Map(spans.map((span) => [`${span.traceId}/${span.spanId}`, span]));
  const crossing = new Set<string>();
  const examples: string[] = [];
  for (const span of spans) {
    const parent = span.parentSpanId ? byId.get(`${span.traceId}/${span.parentSpanId}`) : undefined;
    const mine = isDomainService(span.service, domain);
    let how: string | undefined;
    if (parent && mine !== isDomainService(parent.service, domain)) how = `${parent.service ?? "?"} "${parent.name}" -> ${span.service ?? "?"} "${span.name}"`;
    else if (!mine && span.subgraph === domain) how = `${span.service ?? "?"} "${span.name}" fetches from ${domain}`;
    if (!how) continue;
    if (!crossing.has(span.traceId) && examples.length < 3) examples.push(`trace ${span.traceId.slice(0, 16)}: ${how}`);
    crossing.add(span.traceId);
  }
  return { traces: new Set(spans.map((span) => span.traceId)).size, crossing, examples };
}

/** orders' boundary, billing's boundary. */
const possessive = (name: string) => (name.endsWith("s") ? `${name}'` : `${name}'s`);

export function checkTracing(domain: string, envSource: string, config: TracingConfig, traces?: { file: string; spans: SpanRef[] }): CheckRow {
  const base = { id: "tracing" as const, title: "Tracing in place", required: true };
  const evidence: string[] = [];
  if (config.endpoint) evidence.push(`${config.source}=${config.endpoint} (${envSource})${config.serviceName ? `, OTEL_SERVICE_NAME=${config.serviceName}` : ""}`);
  evidence.push(...config.problems.map((problem) => `${problem} (${envSource})`));
  const configured = config.problems.length === 0;
  let seen: ReturnType<typeof tracesCrossing> | undefined;
  if (traces) {
    seen = tracesCrossing(traces.spans, domain);
    evidence.push(`${traces.file}: ${traces.spans.length} spans in ${seen.traces} traces, ${seen.crossing.size} crossing ${possessive(domain)} boundary`, ...seen.examples);
  } else {
    evidence.push("no traces source given (--traces <OTLP JSON file>): crossing traces not checked");
  }
  const data = { endpoint: config.endpoint, problems: config.problems, traces: traces ? { file: traces.file, spans: traces.spans.length, crossing: seen?.crossing.size ?? 0 } : undefined };
  if (!configured) return { ...base, verdict: "fail", summary: `no OpenTelemetry trace export configured (${envSource})`, evidence, data };
  if (seen && seen.crossing.size === 0) return { ...base, verdict: "fail", summary: `OTLP export configured, but no trace crosses ${possessive(domain)} boundary in ${traces!.file}`, evidence, data };
  return {
    ...base,
    verdict: "pass",
    summary: seen ? `OTLP export configured; ${seen.crossing.size} traces cross ${possessive(domain)} boundary` : "OTLP export configured",
    evidence,
    data,
  };
}
