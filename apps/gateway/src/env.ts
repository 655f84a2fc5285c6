import { loadConfig, refuseDevSecretsInProduction, sharedEnvSchema } from "@monograph/platform";
import { z } from "zod";

/** The domains the gateway composes, in the order they appear in the supergraph. */
export const SUBGRAPH_NAMES = ["users", "inventory", "orders", "billing"] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

const flag = z
  .enum(["true", "false", "1", "0", "on", "off"])
  .transform((value) => value === "true" || value === "1" || value === "on")
  .optional();

const gatewayEnvSchema = sharedEnvSchema
  .extend({
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    /** Moves a subgraph out of this process: the gateway calls it at this URL (hybrid shape). */
    USERS_SUBGRAPH_URL: z.string().url().optional(),
    INVENTORY_SUBGRAPH_URL: z.string().url().optional(),
    ORDERS_SUBGRAPH_URL: z.string().url().optional(),
    BILLING_SUBGRAPH_URL: z.string().url().optional(),
    /**
     * Inventory's base URL for the stock reservations of an in-process orders domain, when inventory runs
     * elsewhere. Default: INVENTORY_SUBGRAPH_URL without its /graphql path.
     */
    INVENTORY_URL: z.string().url().optional(),
    /** Namespaces the JetStream stream and consumers (tests, several environments on one NATS). */
    EVENTS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]*$/).optional(),
    /** GraphiQL at GET /. Default: on, except when NODE_ENV=production. */
    EXPLORER: flag,
    /** Schema introspection. Default: on, except when NODE_ENV=production. */
    INTROSPECTION: flag,
    /** @apollo/gateway's usage telemetry to Apollo's servers. Default off; `on` opts in. */
    APOLLO_TELEMETRY: flag,
  })
  .superRefine(refuseDevSecretsInProduction);

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export interface GatewayConfig {
  env: GatewayEnv;
  port: number;
  host: string;
  /** Subgraphs that run in another process, by name. */
  remoteSubgraphs: Partial<Record<SubgraphName, string>>;
  explorer: boolean;
  introspection: boolean;
  /** Lets @apollo/gateway report usage to Apollo (APOLLO_TELEMETRY=on). */
  apolloTelemetry?: boolean;
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = loadConfig(gatewayEnvSchema, env, "gateway");
  const production = parsed.NODE_ENV === "production";
  const remoteSubgraphs: Partial<Record<SubgraphName, string>> = {};
  const urls: Record<SubgraphName, string | undefined> = {
    users: parsed.USERS_SUBGRAPH_URL,
    inventory: parsed.INVENTORY_SUBGRAPH_URL,
    orders: parsed.ORDERS_SUBGRAPH_URL,
    billing: parsed.BILLING_SUBGRAPH_URL,
  };
  for (const name of SUBGRAPH_NAMES) if (urls[name]) remoteSubgraphs[name] = urls[name];
  return {
    env: parsed,
    port: parsed.PORT,
    host: parsed.HOST,
    remoteSubgraphs,
    explorer: parsed.EXPLORER ?? !production,
    introspection: parsed.INTROSPECTION ?? parsed.EXPLORER ?? !production,
    apolloTelemetry: parsed.APOLLO_TELEMETRY ?? false,
  };
}
