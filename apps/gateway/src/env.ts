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
    /** Deadline of one fetch to a remote subgraph, in ms (waiting for a slot and one retry included). */
    SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
    /** The same for one subgraph, overriding SUBGRAPH_TIMEOUT_MS. */
    USERS_SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
    INVENTORY_SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
    ORDERS_SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
    BILLING_SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
    /** Fetches in flight to one remote subgraph at most; more wait, within their deadline. */
    SUBGRAPH_MAX_CONCURRENCY: z.coerce.number().int().min(1).default(64),
    /** Deadline of one call to inventory's reservation routes (orders here, inventory elsewhere), in ms. */
    INVENTORY_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
    /**
     * Orders' base URL for inventory's reservation sweeper, when inventory runs here and orders does not.
     * Default: ORDERS_SUBGRAPH_URL without its /graphql path.
     */
    ORDERS_URL: z.string().url().optional(),
    /** How old an unconfirmed stock hold must be before the sweeper asks orders about it, in ms. */
    RESERVATION_GRACE_MS: z.coerce.number().int().min(1).default(60_000),
    /** Time between two sweeps of unconfirmed stock holds, in ms. */
    RESERVATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1).default(15_000),
    /** GraphiQL at GET /. Default: on, except when NODE_ENV=production. */
    EXPLORER: flag,
    /** Schema introspection. Default: on, except when NODE_ENV=production. */
    INTROSPECTION: flag,
  })
  .superRefine(refuseDevSecretsInProduction);

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export interface GatewayConfig {
  env: GatewayEnv;
  port: number;
  host: string;
  /** Subgraphs that run in another process, by name. */
  remoteSubgraphs: Partial<Record<SubgraphName, string>>;
  /** Deadline and concurrency bound of the gateway's fetches to each remote subgraph. */
  subgraphCalls: Record<SubgraphName, { timeoutMs: number; maxConcurrency: number }>;
  explorer: boolean;
  introspection: boolean;
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
  const timeouts: Record<SubgraphName, number | undefined> = {
    users: parsed.USERS_SUBGRAPH_TIMEOUT_MS,
    inventory: parsed.INVENTORY_SUBGRAPH_TIMEOUT_MS,
    orders: parsed.ORDERS_SUBGRAPH_TIMEOUT_MS,
    billing: parsed.BILLING_SUBGRAPH_TIMEOUT_MS,
  };
  const subgraphCalls = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, { timeoutMs: timeouts[name] ?? parsed.SUBGRAPH_TIMEOUT_MS, maxConcurrency: parsed.SUBGRAPH_MAX_CONCURRENCY }]),
  ) as GatewayConfig["subgraphCalls"];
  return {
    env: parsed,
    port: parsed.PORT,
    host: parsed.HOST,
    remoteSubgraphs,
    subgraphCalls,
    explorer: parsed.EXPLORER ?? !production,
    introspection: parsed.INTROSPECTION ?? parsed.EXPLORER ?? !production,
  };
}
