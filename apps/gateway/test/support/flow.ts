import { setTimeout as sleep } from "node:timers/promises";

/** The query of ARCHITECTURE.md that crosses every subgraph (users, orders, inventory, billing). */
export const MY_ORDERS = `query MyOrders {
  me {
    name
    orders(first: 20) {
      edges { node {
        id status totalCents
        items { quantity unitPriceCents product { sku name } }
        invoice { id status amountCents }
      } }
    }
  }
}`;

/**
 * Asks again until `probe` gives a truthy value, and returns it: what a client does while an event travels
 * (an invoice opened by billing after orders.created, say). A probe that throws (a process still starting) is
 * asked again too. Fails naming what it waited for, and the last error.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` Last error: ${lastError.message}` : "";
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.${cause}`);
    }
    await sleep(delay);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Replaces every UUID with a placeholder numbered by first appearance (`<id 1>`, `<id 2>`...), so two answers
 * from different databases compare equal when they have the same shape, values and references.
 */
export function normalizeIds(value: unknown): unknown {
  const seen = new Map<string, string>();
  const walk = (node: unknown): unknown => {
    if (typeof node === "string" && UUID.test(node)) {
      if (!seen.has(node)) seen.set(node, `<id ${seen.size + 1}>`);
      return seen.get(node);
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child)]));
    return node;
  };
  return walk(value);
}
