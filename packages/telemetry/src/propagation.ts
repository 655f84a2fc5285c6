import { context, propagation } from "@opentelemetry/api";
import { currentRequestContext, REQUEST_ID_HEADER, type RequestContext } from "./context.ts";

/**
 * Headers that carry the current request to another process: its request id, and the W3C trace context
 * (`traceparent`, `tracestate`) when tracing is on. For every call a request makes to another Monograph process
 * (a subgraph over HTTP, inventory's reservation routes). Pass the request being served where the caller has it:
 * without tracing there is no ambient request context (context.ts).
 */
export function propagationHeaders(served: RequestContext | undefined = undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  const request = served ?? currentRequestContext();
  if (request) headers[REQUEST_ID_HEADER] = request.requestId;
  propagation.inject(context.active(), headers);
  return headers;
}
