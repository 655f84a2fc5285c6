import { loadConfig } from "@monograph/platform";
import { z } from "zod";
import { CRASH_POINTS } from "./placement.ts";

/**
 * Orders' own settings, in whichever process it runs, beyond those every process shares. Where inventory is
 * (INVENTORY_URL), NATS_URL and EVENTS_PREFIX are the composition root's (apps/gateway: run-domain.ts, env.ts).
 * The only place in this app that reads the environment.
 */
const ordersEnvSchema = z.object({
  /** Per call to inventory's reservation endpoints, in ms. */
  INVENTORY_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  /**
   * TEST ONLY: the process kills itself (SIGKILL) at this point of createOrder, for the fault tests of the order
   * placement protocol. Refused when NODE_ENV=production.
   */
  ORDERS_CRASH_AT: z.enum(CRASH_POINTS).optional(),
  NODE_ENV: z.string().optional(),
}).refine((env) => !(env.ORDERS_CRASH_AT && env.NODE_ENV === "production"), { path: ["ORDERS_CRASH_AT"], message: "is for tests only, never in production" });

export type OrdersEnv = z.infer<typeof ordersEnvSchema>;

export function loadOrdersEnv(env: NodeJS.ProcessEnv = process.env): OrdersEnv {
  return loadConfig(ordersEnvSchema, env, "orders-subgraph");
}
