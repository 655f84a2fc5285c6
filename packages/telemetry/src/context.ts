import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { telemetryOff } from "./env.ts";

/** The header a request id arrives in, and the one it is returned in. */
export const REQUEST_ID_HEADER = "x-request-id";

/** What every log line written while serving one request carries. */
export interface RequestContext {
  requestId: string;
  /** The GraphQL operation's name, once the gateway knows it (bounded, see metrics.ts). */
  operationName?: string;
}

/**
 * The ambient request context, for lines written deep inside code that is not handed the request. Only used
 * when tracing is on (`startTracing` turns it on): OpenTelemetry's context manager is an AsyncLocalStorage
 * already, and its cost is paid anyway. Without tracing it stays off, because on Node 20 any AsyncLocalStorage
 * in use makes every promise of the process pay for an async hook (several per cent of CPU per request in the
 * benchmark, docs/benchmarks.md section 6); the request context is then carried explicitly: attached to the
 * HTTP request (`requestContextOf`), put in each GraphQL context as `request`, and passed to the code that logs
 * or calls another process while serving it (`forRequest`, `requestLogFields`, `propagationHeaders(request)`).
 */
const storage = new AsyncLocalStorage<RequestContext>();
let ambient = false;

/** Keeps the request context across awaits for every line (AsyncLocalStorage). Called by startTracing. */
export function useAmbientRequestContext(): void {
  ambient = !telemetryOff.has("context");
}

/** True when the request context follows the code across awaits by itself (tracing on). */
export function ambientRequestContext(): boolean {
  return ambient;
}

let service: string | undefined;

/** Names this process in its log lines (`service`) and its traces: "gateway", "orders"... Set once at start-up. */
export function setServiceName(name: string): void {
  service = name;
}

export function serviceName(): string | undefined {
  return service;
}

/** Runs `fn` (and everything it starts) inside one request's context. */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  if (!ambient) return fn();
  return storage.run(context, fn);
}

/** The ambient context of the request being served, if any (only with tracing on: see above). */
export function currentRequestContext(): RequestContext | undefined {
  return ambient ? storage.getStore() : undefined;
}

/** A callback that runs in the request context it was created in (a response's "finish" handler). */
export function bindToRequestContext(fn: () => void): () => void {
  return ambient ? AsyncResource.bind(fn) : fn;
}

const attached = new WeakMap<object, RequestContext>();

/** Ties `context` to an object of its request (the IncomingMessage, an error it raised) for `requestContextOf`. */
export function attachRequestContext(carrier: object, context: RequestContext | undefined): void {
  if (context && !telemetryOff.has("context")) attached.set(carrier, context);
}

/** The request context tied to `carrier` by attachRequestContext. */
export function requestContextOf(carrier: object | undefined | null): RequestContext | undefined {
  return carrier ? attached.get(carrier) : undefined;
}

/**
 * The request fields of a line about `request`, to spread into the logged object: `requestId` and `operation`
 * without an ambient context, nothing with one (the logger adds them itself, with the trace ids).
 */
export function requestLogFields(request: RequestContext | undefined): { requestId?: string; operation?: string } {
  if (ambient || !request) return {};
  return request.operationName ? { requestId: request.requestId, operation: request.operationName } : { requestId: request.requestId };
}

// A caller's id is copied into logs, headers and other services' logs: keep it short and plain.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** The caller's request id when it is sane (at most 128 of `A-Za-z0-9._:@-`), a new UUID otherwise. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}
