import { context, propagation } from "@opentelemetry/api";
import { currentRequestContext, REQUEST_ID_HEADER } from "./context.ts";

/**
 * Headers that carry the current request to another process: its request id, and the W3C trace context
 * (`traceparent`, `tracestate`) when tracing is on. For every call a request makes to another Monograph process
 * (a subgraph over HTTP, inventory's reservation routes).
 */
export function propagationHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const request = currentRequestContext();
  if (request) headers[REQUEST_ID_HEADER] = request.requestId;
  propagation.inject(context.active(), headers);
  return headers;
}
