import { DomainError, ErrorCode } from "@monograph/platform";

export type OrderStatus = "PENDING_PAYMENT" | "PAID" | "CANCELLED";

/** The only moves an order can make. PAID and CANCELLED are final. */
const ALLOWED: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING_PAYMENT: ["PAID", "CANCELLED"],
  PAID: [],
  CANCELLED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws INVALID_STATE_TRANSITION, naming both states, unless `from` -> `to` is allowed. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw invalidTransition(from, to);
}

export function invalidTransition(from: OrderStatus, to: OrderStatus): DomainError {
  const action = to === "CANCELLED" ? "cancelled" : to === "PAID" ? "marked as paid" : `moved to ${to}`;
  return new DomainError(ErrorCode.INVALID_STATE_TRANSITION, `This order is ${from} and cannot be ${action}.`, { from, to });
}
