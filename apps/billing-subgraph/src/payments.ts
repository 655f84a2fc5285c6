import { randomUUID } from "node:crypto";

export interface ChargeRequest {
  invoiceId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  /**
   * The provider deduplicates on it: a charge repeated with the same key (a retried payInvoice, two requests
   * racing) is one charge, answered with the same result.
   */
  idempotencyKey: string;
}

export type ChargeResult =
  | { status: "succeeded"; providerRef: string }
  | { status: "declined"; providerRef: string; reason: string };

/**
 * Takes money. Injected by the composition root: a real provider's adapter in production, the simulated one
 * elsewhere. A charge that cannot be attempted (the provider is unreachable) throws.
 */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Gives a succeeded charge back; billing uses it when a charge turns out not to be needed. */
  refund(providerRef: string): Promise<void>;
}

export interface SimulatedPaymentProviderOptions {
  /** Return a reason to decline the charge (a test's "card declined"); anything falsy approves it. */
  decline?: (request: ChargeRequest) => string | false | null | undefined;
}

/** Approves every charge (unless told to decline), remembers them by idempotency key, and records refunds. */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly charges = new Map<string, ChargeResult & { request: ChargeRequest }>();
  readonly refunds: string[] = [];

  constructor(private readonly options: SimulatedPaymentProviderOptions = {}) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const earlier = this.charges.get(request.idempotencyKey);
    if (earlier) {
      const { request: _request, ...result } = earlier;
      return result;
    }
    const reason = this.options.decline?.(request);
    const result: ChargeResult = reason ? { status: "declined", providerRef: `sim_${randomUUID()}`, reason } : { status: "succeeded", providerRef: `sim_${randomUUID()}` };
    this.charges.set(request.idempotencyKey, { ...result, request });
    return result;
  }

  async refund(providerRef: string): Promise<void> {
    this.refunds.push(providerRef);
  }

  /** Charges that succeeded and were not refunded: the money actually taken. */
  takenCharges(): (ChargeResult & { request: ChargeRequest })[] {
    return [...this.charges.values()].filter((charge) => charge.status === "succeeded" && !this.refunds.includes(charge.providerRef));
  }
}
