import { DEFAULT_NATS_URL } from "@monograph/events";
import { loadConfig } from "@monograph/platform";
import { z } from "zod";

/**
 * What the inventory process needs beyond the settings every subgraph process shares (those are read by
 * runSubgraphProcess). The only place in this app that reads process.env.
 */
const inventoryEnvSchema = z.object({
  /** NATS JetStream: billing's invoices.paid and orders' orders.cancelled come in through it. */
  NATS_URL: z.string().min(1).default(DEFAULT_NATS_URL),
  /** Namespaces the JetStream stream and consumers (tests, several environments on one NATS). */
  EVENTS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]*$/).optional(),
});

export type InventoryEnv = z.infer<typeof inventoryEnvSchema>;

export function loadInventoryEnv(env: NodeJS.ProcessEnv = process.env): InventoryEnv {
  return loadConfig(inventoryEnvSchema, env, "inventory-subgraph");
}
