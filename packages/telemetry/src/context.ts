import { AsyncLocalStorage } from "node:async_hooks";
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

const storage = new AsyncLocalStorage<RequestContext>();

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
  if (telemetryOff.has("context")) return fn();
  return storage.run(context, fn);
}

/** The context of the request being served, if any. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

// A caller's id is copied into logs, headers and other services' logs: keep it short and plain.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** The caller's request id when it is sane (at most 128 of `A-Za-z0-9._:@-`), a new UUID otherwise. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}
