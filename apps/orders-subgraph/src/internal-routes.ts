import type { IncomingMessage, ServerResponse } from "node:http";
import { CALLER_HEADER, childLogger, ErrorCode, forRequest, readBodyUpTo, requestContextOf, sendJson, verifyRequest } from "@monograph/platform";
import { z } from "zod";
import type { OrderPlacements } from "./placement.ts";

const log = childLogger("orders");

export const INTERNAL_PLACEMENTS_PATH = "/internal/orders/placements";

const MAX_BODY_BYTES = 64 * 1024;
const MAX_IDS = 500;

const placementsBody = z.object({ orderIds: z.array(z.uuid()).min(1).max(MAX_IDS) });

/**
 * Orders' service-to-service endpoint, for inventory's reservation sweeper when inventory runs in another process
 * (docs/adr/0011-order-placement-protocol.md). Pass it as `extraRoutes`; it answers only its own path.
 *
 *   POST /internal/orders/placements  { orderIds: [uuid, ...] }  -> 200 { outcomes: { <orderId>: "PLACED" | "ABANDONED" } }
 *
 * Answering decides: an id that is not an order yet is recorded ABANDONED and can never become one, so inventory
 * may release its stock. Signed callers only (CALLER_HEADER naming a service), else 401; a bad body is 400; a
 * failure (the database is down) is 503 SERVICE_UNAVAILABLE, and inventory asks again on its next sweep.
 */
export function ordersInternalRoutes(placements: Pick<OrderPlacements, "settle">, internalSecret: string) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    if (pathname !== INTERNAL_PLACEMENTS_PATH) return false;
    const raw = await readBodyUpTo(request, MAX_BODY_BYTES);
    // The signature covers the method and these exact bytes: a captured header cannot ask about other orders.
    const header = request.headers[CALLER_HEADER];
    const caller = await verifyRequest(internalSecret, Array.isArray(header) ? header[0] : header, { method: request.method ?? "GET", body: raw ?? "" });
    if (caller?.kind !== "service") {
      sendJson(response, 401, { error: { code: ErrorCode.UNAUTHENTICATED, message: "This endpoint is for Monograph services only." } });
      return true;
    }
    if (request.method !== "POST") {
      response.setHeader("allow", "POST");
      sendJson(response, 405, { error: { code: ErrorCode.BAD_USER_INPUT, message: "Use POST." } });
      return true;
    }
    const parsed = placementsBody.safeParse(parseJson(raw));
    if (!parsed.success) {
      sendJson(response, 400, { error: { code: ErrorCode.BAD_USER_INPUT, message: `The request body must be { orderIds: [uuid, ...] } with 1 to ${MAX_IDS} ids.` } });
      return true;
    }
    try {
      sendJson(response, 200, { outcomes: await placements.settle(parsed.data.orderIds) });
    } catch (error) {
      forRequest(log, requestContextOf(request)).error({ err: error }, "internal placements failed");
      sendJson(response, 503, { error: { code: ErrorCode.SERVICE_UNAVAILABLE, message: "Orders could not answer right now. Please try again." } });
    }
    return true;
  };
}

function parseJson(raw: Buffer | undefined): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return undefined;
  }
}
