import { CALLER_HEADER, signRequest } from "@monograph/platform";
import { z } from "zod";
import type { OrderPlacementsClient } from "./sweeper.ts";

export interface HttpOrderPlacementsOptions {
  /** Orders' base URL (its own process, or the gateway's when orders runs there), without /graphql. */
  baseUrl: string;
  internalSecret: string;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const answer = z.object({ outcomes: z.record(z.string(), z.enum(["PLACED", "ABANDONED"])) });

/**
 * The sweeper's question to orders over HTTP (`POST {baseUrl}/internal/orders/placements`), signed as the
 * inventory service. Anything but a well-formed answer throws, and the sweeper tries again later: nothing is
 * released on doubt.
 */
export class HttpOrderPlacements implements OrderPlacementsClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpOrderPlacementsOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async settle(orderIds: readonly string[]): Promise<Record<string, "PLACED" | "ABANDONED">> {
    const body = JSON.stringify({ orderIds });
    const response = await this.fetch(`${this.baseUrl}/internal/orders/placements`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        // Bound to this body: a captured header cannot ask about other orders.
        [CALLER_HEADER]: await signRequest(this.options.internalSecret, { kind: "service", service: "inventory" }, { method: "POST", body }),
      },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const answered: unknown = await response.json().catch(() => undefined);
    const parsed = answer.safeParse(answered);
    if (!response.ok || !parsed.success) throw new Error(`orders answered ${response.status} to the placements question`);
    return parsed.data.outcomes;
  }
}
