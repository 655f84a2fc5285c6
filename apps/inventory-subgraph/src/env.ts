import { eventsEnvSchema } from "@monograph/events";
import { loadConfig } from "@monograph/platform";
import { z } from "zod";

/**
 * What the inventory process needs beyond the settings every subgraph process shares (those are read by
 * runSubgraphProcess). The only place in this app that reads process.env.
 * From eventsEnvSchema: NATS_URL, EVENTS_PREFIX (billing's invoices.paid and orders' orders.cancelled come in through NATS JetStream).
 */
const inventoryEnvSchema = eventsEnvSchema.extend({
  /**
   * Orders' base URL (its process, or the gateway's when orders runs there): the reservation sweeper asks it
   * whether the orders of unconfirmed holds exist.
   */
  ORDERS_URL: z.url().default("http://127.0.0.1:4003"),
  /** How old an unconfirmed hold must be before the sweeper asks about it, in ms. */
  RESERVATION_GRACE_MS: z.coerce.number().int().min(1).default(60_000),
  /** Time between two sweeps, in ms. */
  RESERVATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1).default(15_000),
});

export type InventoryEnv = z.infer<typeof inventoryEnvSchema>;

export function loadInventoryEnv(env: NodeJS.ProcessEnv = process.env): InventoryEnv {
  return loadConfig(inventoryEnvSchema, env, "inventory-subgraph");
}
