import { eventsEnvSchema } from "@monograph/events";
import { loadConfig } from "@monograph/platform";
import type { z } from "zod";

/**
 * What the billing process needs beyond the settings every subgraph process shares (those are read by
 * runSubgraphProcess). The only place in this app that reads process.env.
 * From eventsEnvSchema: NATS_URL, EVENTS_PREFIX (billing's events go out, and orders' come in, through it).
 */
const billingEnvSchema = eventsEnvSchema;

export type BillingEnv = z.infer<typeof billingEnvSchema>;

export function loadBillingEnv(env: NodeJS.ProcessEnv = process.env): BillingEnv {
  return loadConfig(billingEnvSchema, env, "billing-subgraph");
}
