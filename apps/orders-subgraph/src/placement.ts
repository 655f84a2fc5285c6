import { createHash } from "node:crypto";
import { badUserInput } from "@monograph/platform";
import type { OrdersRepository, PlacementOutcome } from "./repository.ts";

/**
 * The order placement protocol (docs/adr/0011-order-placement-protocol.md), orders' side.
 *
 * An order id is decided exactly once, in orders' database (`orders.placements`): PLACED when the order is
 * inserted, ABANDONED when inventory's sweeper asks about a reservation whose order never appeared, or when
 * createOrder gives up on an attempt whose reservation may exist. Stock is released for an order id only once it
 * is ABANDONED, so a hold can never be released under an order that exists, and an abandoned id never becomes
 * one.
 */

/** The named points of createOrder where a test may have the process die (ORDERS_CRASH_AT, never in production). */
export const CRASH_POINTS = ["before-reserve", "after-reserve", "after-order"] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** How many abandoned attempts one idempotency key may go through before the client must pick another key. */
export const MAX_ATTEMPTS_PER_KEY = 10;

// A fixed namespace for Monograph's order ids (RFC 9562 name-based UUIDs, version 5).
const ORDER_ID_NAMESPACE = Buffer.from("5b0d7b8e4c2a4f61a9b3a1f0c6d2e7f4", "hex");

/**
 * The order id of attempt `attempt` (0, 1...) for a customer's idempotency key: the same inputs give the same id
 * in every process, so a retry after any crash finds the reservation of the attempt it continues.
 */
export function attemptOrderId(customerId: string, idempotencyKey: string, attempt: number): string {
  const hash = createHash("sha1").update(ORDER_ID_NAMESPACE).update(`${customerId}\n${attempt}\n${idempotencyKey}`, "utf8").digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The attempt a request with this key continues: the first whose id was not abandoned. Concurrent requests with
 * the same key compute the same one.
 */
export async function currentAttemptId(repository: Pick<OrdersRepository, "abandonedAmong">, customerId: string, idempotencyKey: string): Promise<string> {
  const ids = Array.from({ length: MAX_ATTEMPTS_PER_KEY }, (_, attempt) => attemptOrderId(customerId, idempotencyKey, attempt));
  const abandoned = await repository.abandonedAmong(ids);
  const id = ids.find((candidate) => !abandoned.has(candidate));
  if (!id) throw badUserInput("This idempotency key was used for too many failed attempts; use a new key.", { field: "idempotencyKey" });
  return id;
}

/**
 * What inventory's sweeper asks orders about reservations nobody confirmed: for each order id, PLACED (the order
 * exists: keep the stock) or ABANDONED (it never will: release it). Answering decides: an undecided id becomes
 * ABANDONED there and then.
 */
export class OrderPlacements {
  constructor(private readonly repository: Pick<OrdersRepository, "abandonUndecided">) {}

  async settle(orderIds: readonly string[]): Promise<Record<string, PlacementOutcome>> {
    const outcomes = await this.repository.abandonUndecided([...new Set(orderIds)]);
    return Object.fromEntries(outcomes);
  }
}
