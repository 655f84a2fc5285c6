import type { IncomingMessage, ServerResponse } from "node:http";
import { CALLER_HEADER, childLogger, DomainError, ErrorCode, forRequest, readBodyUpTo, requestContextOf, sendJson, verifyRequest } from "@monograph/platform";
import { z } from "zod";
import type { InventoryReservations } from "./reservations.ts";

export const INTERNAL_RESERVATIONS_PATH = "/internal/reservations";

const MAX_BODY_BYTES = 64 * 1024;

const log = childLogger("inventory");

// The shape only; the rules (UUID, quantities, line count) are the reservations' own, and answer with their codes.
const reserveBody = z.object({ orderId: z.string(), lines: z.array(z.object({ sku: z.string(), quantity: z.number() })) });
const orderBody = z.object({ orderId: z.string() });

const STATUS_BY_CODE: Partial<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.OUT_OF_STOCK]: 409,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.INVALID_STATE_TRANSITION]: 409,
};

type Reservations = Pick<InventoryReservations, "reserve" | "release" | "commit">;

/**
 * Inventory's service-to-service endpoints, for orders running in another process (its HttpInventoryClient).
 * Pass the result as `extraRoutes` to startSubgraphServer; it answers every request under
 * /internal/reservations/ and lets anything else through.
 *
 *   POST /internal/reservations/reserve  { orderId, lines: [{ sku, quantity }] }  -> 200 { lines: [{ sku, name, quantity, unitPriceCents, currency }] }
 *   POST /internal/reservations/release  { orderId }                              -> 200 { ok: true }
 *   POST /internal/reservations/commit   { orderId }                              -> 200 { ok: true }
 *
 * The caller must send CALLER_HEADER signed with the internal secret for this very request (its method and body
 * bytes, see signRequest) and naming a service; anything else (no header, another secret, an expired one, one
 * signed for another body, a user) is 401. Failures are `{ error: { code, message, sku? } }`:
 * 400 BAD_USER_INPUT (body not JSON or not of this shape, or a line the rules refuse), 404 NOT_FOUND (unknown SKU;
 * commit without reservation), 409 OUT_OF_STOCK / CONFLICT / INVALID_STATE_TRANSITION, 405 for a method other than
 * POST. Anything unexpected (the database is down) is 503 SERVICE_UNAVAILABLE, with nothing internal in it:
 * the caller cannot know whether a reserve took effect, and orders releases on that code.
 */
export function inventoryInternalRoutes(reservations: Reservations, internalSecret: string) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    if (!pathname.startsWith(`${INTERNAL_RESERVATIONS_PATH}/`)) return false;

    const raw = await readBody(request);
    if (raw instanceof Error) {
      sendError(response, 400, ErrorCode.BAD_USER_INPUT, raw.message);
      return true;
    }
    // The signature covers the method and these exact bytes: a captured header cannot carry another order or
    // other lines.
    const header = request.headers[CALLER_HEADER];
    const caller = await verifyRequest(internalSecret, Array.isArray(header) ? header[0] : header, { method: request.method ?? "GET", body: raw });
    if (caller?.kind !== "service") {
      sendError(response, 401, ErrorCode.UNAUTHENTICATED, "These endpoints are for Monograph services only.");
      return true;
    }

    const action = pathname.slice(INTERNAL_RESERVATIONS_PATH.length + 1);
    if (action !== "reserve" && action !== "release" && action !== "commit") {
      sendError(response, 404, ErrorCode.NOT_FOUND, "No such endpoint.");
      return true;
    }
    if (request.method !== "POST") {
      response.setHeader("allow", "POST");
      sendError(response, 405, ErrorCode.BAD_USER_INPUT, "Use POST.");
      return true;
    }
    const body = parseJson(raw);
    if (body instanceof Error) {
      sendError(response, 400, ErrorCode.BAD_USER_INPUT, body.message);
      return true;
    }
    try {
      if (action === "reserve") {
        const parsed = reserveBody.safeParse(body);
        if (!parsed.success) return badShape(response, "{ orderId, lines: [{ sku, quantity }] }");
        sendJson(response, 200, await reservations.reserve(parsed.data.orderId, parsed.data.lines));
      } else {
        const parsed = orderBody.safeParse(body);
        if (!parsed.success) return badShape(response, "{ orderId }");
        await (action === "release" ? reservations.release(parsed.data.orderId) : reservations.commit(parsed.data.orderId));
        sendJson(response, 200, { ok: true });
      }
    } catch (error) {
      const code = error instanceof DomainError ? String(error.extensions.code) : undefined;
      const status = code === undefined ? undefined : STATUS_BY_CODE[code];
      if (error instanceof DomainError && code !== undefined && status !== undefined) {
        const sku = error.extensions.sku;
        sendJson(response, status, { error: { code, message: error.message, ...(typeof sku === "string" ? { sku } : {}) } });
      } else {
        forRequest(log, requestContextOf(request)).error({ err: error }, `internal ${action} failed`);
        sendError(response, 503, ErrorCode.SERVICE_UNAVAILABLE, "Inventory could not handle this request right now. Please try again.");
      }
    }
    return true;
  };
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { error: { code, message } });
}

function badShape(response: ServerResponse, shape: string): true {
  sendError(response, 400, ErrorCode.BAD_USER_INPUT, `The request body must be ${shape}.`);
  return true;
}

async function readBody(request: IncomingMessage): Promise<Buffer | Error> {
  return (await readBodyUpTo(request, MAX_BODY_BYTES)) ?? new Error("The request body is too large.");
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return new Error("The request body is not valid JSON.");
  }
}
