import { eventsEnvSchema } from "@monograph/events";
import { loadConfig } from "@monograph/platform";
import { z } from "zod";
import { CRASH_POINTS } from "./placement.ts";

/**
 * What the orders process needs beyond the settings every subgraph process shares (those are read by
 * runSubgraphProcess). The only place in this app that reads process.env.
 * From eventsEnvSchema: NATS_URL, EVENTS_PREFIX (orders' events go out, and billing's come in, through NATS JetStream).
 */
const ordersEnvSchema = eventsEnvSchema.extend({
  /** Inventory's base URL: orders reserves stock there when it runs in its own process. */
  INVENTORY_URL: z.url().default("http://127.0.0.1:4002"),
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
