import { loadConfig } from "@monograph/platform";
import { z } from "zod";

/**
 * Inventory's own settings, in whichever process it runs, beyond those every process shares. Where orders is
 * (ORDERS_URL, asked by the sweeper), NATS_URL and EVENTS_PREFIX are the composition root's (apps/gateway:
 * run-domain.ts, env.ts). The only place in this app that reads the environment.
 */
const inventoryEnvSchema = z.object({
  /** How old an unconfirmed hold must be before the sweeper asks about it, in ms. */
  RESERVATION_GRACE_MS: z.coerce.number().int().min(1).default(60_000),
  /** Time between two sweeps, in ms. */
  RESERVATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1).default(15_000),
});

export type InventoryEnv = z.infer<typeof inventoryEnvSchema>;

export function loadInventoryEnv(env: NodeJS.ProcessEnv = process.env): InventoryEnv {
  return loadConfig(inventoryEnvSchema, env, "inventory-subgraph");
}
