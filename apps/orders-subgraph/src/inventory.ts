import { CALLER_HEADER, childLogger, DomainError, ErrorCode, forRequest, propagationHeaders, signRequest, type RequestContext } from "@monograph/platform";
import { z } from "zod";
import type { ReservationRequestLine, Reservations, ReservedLine } from "@monograph/inventory-subgraph/contracts";

const log = childLogger("orders");

/**
 * What orders needs from inventory: the reservations port, whose contract inventory declares (type-only, in its
 * `contracts` entry). The composition root injects an implementation: in-process (both domains in one process) or
 * `HttpInventoryClient` (inventory in another process).
 */
export type InventoryClient = Reservations;
export type { ReservationRequestLine, ReservedLine };

export interface HttpInventoryClientOptions {
  /** Inventory's base URL, e.g. http://127.0.0.1:4002 (no trailing /graphql). */
  baseUrl: string;
  /** Signs the caller header; the same INTERNAL_SECRET inventory verifies it with. */
  internalSecret: string;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** Injected for tests; default the global fetch. */
  fetch?: typeof fetch;
}

const reserveResponse = z.object({
  lines: z.array(
    z.object({
      sku: z.string(),
      name: z.string(),
      quantity: z.number().int(),
      unitPriceCents: z.number().int(),
      currency: z.string(),
    }),
  ),
});

const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), sku: z.string().optional() }),
});

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

const unavailable = () => new DomainError(ErrorCode.SERVICE_UNAVAILABLE, "Inventory is not available right now. Please try again.");

/**
 * Inventory over HTTP, for orders running in its own process: calls inventory's service-to-service endpoints
 * (`POST {baseUrl}/internal/reservations/{reserve,release,commit}`), signed as the orders service. Inventory's
 * coded errors come back as the same DomainError (code, message, sku); a network failure, a timeout or an answer
 * that is not inventory's becomes SERVICE_UNAVAILABLE with a generic message (never the URL).
 */
export class HttpInventoryClient implements InventoryClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpInventoryClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async reserve(orderId: string, lines: readonly ReservationRequestLine[], request?: RequestContext): Promise<{ lines: ReservedLine[] }> {
    const body = await this.post("reserve", { orderId, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) }, request);
    const parsed = reserveResponse.safeParse(body);
    if (!parsed.success) throw unavailable();
    return parsed.data;
  }

  async release(orderId: string, request?: RequestContext): Promise<void> {
    await this.post("release", { orderId }, request);
  }

  async commit(orderId: string, request?: RequestContext): Promise<void> {
    await this.post("commit", { orderId }, request);
  }

  private async post(action: "reserve" | "release" | "commit", payload: object, request: RequestContext | undefined): Promise<unknown> {
    let response: Response;
    let body: unknown;
    const json = JSON.stringify(payload);
    try {
      response = await this.fetch(`${this.baseUrl}/internal/reservations/${action}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          // Signed for this body only: a captured header cannot reserve, release or commit anything else.
          [CALLER_HEADER]: await signRequest(this.options.internalSecret, { kind: "service", service: "orders" }, { method: "POST", body: json }),
          ...propagationHeaders(request),
        },
        body: json,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      body = await response.json().catch(() => undefined);
    } catch (error) {
      // The cause names the URL: logged here for operators, never passed on to a client.
      forRequest(log, request).error({ err: error }, `inventory ${action} failed`);
      throw unavailable();
    }
    if (response.ok) return body;
    const error = errorResponse.safeParse(body);
    if (!error.success || !KNOWN_CODES.has(error.data.error.code)) throw unavailable();
    const { code, message, sku } = error.data.error;
    throw new DomainError(code as ErrorCode, message, sku === undefined ? {} : { sku });
  }
}
