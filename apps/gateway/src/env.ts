import { eventsEnvSchema } from "@monograph/events";
import { edgeSettingsFrom, loadConfig, refuseDevSecretsInProduction, sharedEnvSchema, type EdgeSettings } from "@monograph/platform";
import { z } from "zod";
import { parseTrustProxy, type TrustProxy } from "./throttle-address.ts";
import type { RateLimit, ThrottleLimits, ThrottleStoreSettings } from "./throttle.ts";

/** The domains the gateway composes, in the order they appear in the supergraph. */
export const SUBGRAPH_NAMES = ["users", "inventory", "orders", "billing"] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

const flag = z
  .enum(["true", "false", "1", "0", "on", "off"])
  .transform((value) => value === "true" || value === "1" || value === "on")
  .optional();

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `<count>/<window>`, e.g. `20/1m`, `10/15m`, `5/30s`; or `off`. */
const rateLimit = z
  .string()
  .trim()
  .regex(/^(off|[1-9]\d{0,6}\/[1-9]\d{0,6}(ms|s|m|h))$/, "expected <count>/<window> such as 20/1m, 10/15m or 5/30s, or off")
  .transform((value): RateLimit | undefined => {
    if (value === "off") return undefined;
    const [, count, amount, unit] = /^(\d+)\/(\d+)(ms|s|m|h)$/.exec(value)!;
    return { limit: Number(count), windowMs: Number(amount) * DURATION_UNITS[unit!]! };
  })
  .refine((limit) => !limit || (limit.windowMs >= 1_000 && limit.windowMs <= 24 * 3_600_000), "the window must be between 1s and 24h");

const trustProxy = z
  .string()
  .optional()
  .transform((value, ctx): TrustProxy => {
    const parsed = parseTrustProxy(value);
    if (typeof parsed === "string") {
      ctx.addIssue({ code: "custom", message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

/** The sign-in throttle's limits when none are configured: the 40th wrong sign-in of a burst is long refused. */
export const THROTTLE_DEFAULTS = {
  SIGN_IN_ADDRESS_LIMIT: "20/1m",
  SIGN_IN_ACCOUNT_LIMIT: "10/15m",
  SIGN_UP_ADDRESS_LIMIT: "10/1h",
} as const;

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
    EVENTS_PREFIX: eventsEnvSchema.shape.EVENTS_PREFIX,
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
    /** Sign-in attempts per client address (any outcome). */
    SIGN_IN_ADDRESS_LIMIT: rateLimit.prefault(THROTTLE_DEFAULTS.SIGN_IN_ADDRESS_LIMIT),
    /** Failed sign-ins per account (email), from any address. */
    SIGN_IN_ACCOUNT_LIMIT: rateLimit.prefault(THROTTLE_DEFAULTS.SIGN_IN_ACCOUNT_LIMIT),
    /** Sign-up attempts per client address (any outcome). */
    SIGN_UP_ADDRESS_LIMIT: rateLimit.prefault(THROTTLE_DEFAULTS.SIGN_UP_ADDRESS_LIMIT),
    /** Which X-Forwarded-For entries name the client: unset (none), a hop count, or proxy addresses/CIDRs. */
    TRUST_PROXY: trustProxy,
    /** The throttle's counters in Redis, shared by every gateway replica; in memory when unset. */
    REDIS_URL: z
      .string()
      .url()
      .refine((url) => /^rediss?:\/\//.test(url), "expected a redis:// or rediss:// URL")
      .optional(),
    /** Namespaces the throttle's Redis keys (several environments on one Redis). */
    THROTTLE_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_:.-]*$/).default("monograph:throttle:"),
    /** Counters the in-memory store keeps at most (least recently counted dropped first). */
    THROTTLE_MAX_KEYS: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
    /** A GraphQL request not answered within this gets 504 REQUEST_TIMEOUT (its work may still finish). */
    REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
    /** Usage reporting to the gateway's database, for schema:check --usage (src/usage.ts). Default: on. */
    USAGE_REPORTING: flag,
    /**
     * safelist: only the recorded operations (packages/schema/persisted-operations.json) run, by hash or full text;
     * open: any document, and APQ registers new ones. Default: safelist when NODE_ENV=production, open otherwise.
     */
    OPERATIONS: z.enum(["safelist", "open"]).optional(),
    /** @apollo/gateway's usage telemetry to Apollo's servers. Default off; `on` opts in. */
    APOLLO_TELEMETRY: flag,
  })
  .superRefine(refuseDevSecretsInProduction);

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/** An unset or empty variable is "not given" (an empty string would otherwise coerce to port 0). */
const optionalPort = z.preprocess((value) => (value === "" ? undefined : value), z.coerce.number().int().min(0).max(65535).optional());

/**
 * Where `npm run start:distributed` puts each subgraph process: `<NAME>_PORT` (e.g. `USERS_PORT`) for one, else
 * `SUBGRAPH_BASE_PORT` + its index in SUBGRAPH_NAMES (users, inventory, orders, billing), else 4001-4004; with
 * `PORT=0` (tests) every subgraph not given a port picks a free one. Ports must not collide with one another, the
 * gateway's `PORT` or `METRICS_PORT`.
 */
export const distributedPortsEnvSchema = z
  .object({
    PORT: z.preprocess((value) => (value === "" ? undefined : value), z.coerce.number().int().min(0).max(65535).default(4000)),
    METRICS_PORT: optionalPort,
    SUBGRAPH_BASE_PORT: z.preprocess(
      (value) => (value === "" ? undefined : value),
      z.coerce
        .number()
        .int()
        .min(1)
        .max(65535 - (SUBGRAPH_NAMES.length - 1), `leaves no room for ${SUBGRAPH_NAMES.length} consecutive ports`)
        .optional(),
    ),
    USERS_PORT: optionalPort,
    INVENTORY_PORT: optionalPort,
    ORDERS_PORT: optionalPort,
    BILLING_PORT: optionalPort,
  })
  .transform((env, ctx) => {
    const explicit: Record<SubgraphName, number | undefined> = {
      users: env.USERS_PORT,
      inventory: env.INVENTORY_PORT,
      orders: env.ORDERS_PORT,
      billing: env.BILLING_PORT,
    };
    const ports = Object.fromEntries(
      SUBGRAPH_NAMES.map((name, index) => [
        name,
        explicit[name] ?? (env.SUBGRAPH_BASE_PORT !== undefined ? env.SUBGRAPH_BASE_PORT + index : env.PORT === 0 ? 0 : DEFAULT_SUBGRAPH_PORT_OF[name]),
      ]),
    ) as Record<SubgraphName, number>;
    const owners = new Map<number, string>();
    if (env.PORT !== 0) owners.set(env.PORT, "PORT (the gateway)");
    if (env.METRICS_PORT) owners.set(env.METRICS_PORT, "METRICS_PORT");
    for (const name of SUBGRAPH_NAMES) {
      const port = ports[name];
      if (port === 0) continue;
      const other = owners.get(port);
      const variable = `${name.toUpperCase()}_PORT`;
      if (other) ctx.addIssue({ code: "custom", path: [variable], message: `port ${port} of the ${name} subgraph is also ${other}'s` });
      else owners.set(port, `${variable} (the ${name} subgraph)`);
    }
    return ports;
  });

/** Default ports of the subgraph processes of `npm run start:distributed`. */
export const DEFAULT_SUBGRAPH_PORT_OF: Record<SubgraphName, number> = { users: 4001, inventory: 4002, orders: 4003, billing: 4004 };

/** The subgraph processes' ports of `npm run start:distributed` (distributedPortsEnvSchema); exits on a bad setting. */
export function loadDistributedPorts(env: NodeJS.ProcessEnv = process.env): Record<SubgraphName, number> {
  return loadConfig(distributedPortsEnvSchema, env, "gateway");
}


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
  throttle: { limits: ThrottleLimits; store: ThrottleStoreSettings; trustProxy: TrustProxy };
  /** Operation limits and HTTP bounds (the README's configuration table). */
  edge: EdgeSettings;
  /** "Did you mean ...?" in error messages: off in production, where it would tell strangers the schema. */
  fieldSuggestions: boolean;
  /** Record which schema coordinates each client's operations use (USAGE_REPORTING). */
  usageReporting: boolean;
  /** Which documents the gateway runs: the recorded operations only, or any. */
  operations: "safelist" | "open";
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
    throttle: {
      limits: { signInPerAddress: parsed.SIGN_IN_ADDRESS_LIMIT, signInPerAccount: parsed.SIGN_IN_ACCOUNT_LIMIT, signUpPerAddress: parsed.SIGN_UP_ADDRESS_LIMIT },
      store: { redisUrl: parsed.REDIS_URL, keyPrefix: parsed.THROTTLE_KEY_PREFIX, maxKeys: parsed.THROTTLE_MAX_KEYS },
      trustProxy: parsed.TRUST_PROXY,
    },
    edge: edgeSettingsFrom(parsed, { deadlineMs: parsed.REQUEST_DEADLINE_MS }),
    fieldSuggestions: !production,
    usageReporting: parsed.USAGE_REPORTING ?? true,
    operations: parsed.OPERATIONS ?? (production ? "safelist" : "open"),
    apolloTelemetry: parsed.APOLLO_TELEMETRY ?? false,
  };
}
