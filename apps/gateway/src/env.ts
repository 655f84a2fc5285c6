import { edgeSettingsFrom, loadConfig, refuseDevSecretsInProduction, sharedEnvSchema, type EdgeSettings } from "@monograph/platform";
import { DOMAIN_NAMES, DOMAINS, envPrefixOf, type DomainName } from "@monograph/domains";
import { eventsEnvSchema } from "@monograph/events/env";
import { z } from "zod";
import { parseTrustProxy, type RateLimit, type ThrottleLimits, type ThrottleStoreSettings, type TrustProxy } from "@monograph/gateway-core";

/** The domains the gateway composes, in the order they appear in the supergraph: the registry's (@monograph/domains). */
export const SUBGRAPH_NAMES = DOMAIN_NAMES;
export type SubgraphName = DomainName;

/** One setting per registered domain: `<NAME><suffix>` (USERS_SUBGRAPH_URL, ORDERS_URL...), all of one schema. */
function perDomain<T extends z.ZodType>(suffix: string, schema: T): Record<string, T> {
  return Object.fromEntries(DOMAIN_NAMES.map((name) => [`${envPrefixOf(name)}${suffix}`, schema]));
}

const optionalUrl = z.string().url().optional();
/** `<NAME>_SUBGRAPH_URL`: moves a subgraph out of this process; the gateway calls it at this URL (hybrid shape). */
const subgraphUrlsSchema = z.object(perDomain("_SUBGRAPH_URL", optionalUrl));
/**
 * `<NAME>_URL`: the base URL of a domain's process for the ports this process needs from it (orders reserving stock
 * at inventory, inventory's sweeper asking orders). Default: its <NAME>_SUBGRAPH_URL without the /graphql path.
 */
const processUrlsSchema = z.object(perDomain("_URL", optionalUrl));
/** `<NAME>_SUBGRAPH_TIMEOUT_MS`: overrides SUBGRAPH_TIMEOUT_MS for one subgraph. */
const subgraphTimeoutsSchema = z.object(perDomain("_SUBGRAPH_TIMEOUT_MS", z.coerce.number().int().min(1).optional()));

/** Adds the problems of the per-domain settings to the gateway's, so that every problem is reported at once. */
function checkPerDomainSettings(env: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const schema of [subgraphUrlsSchema, processUrlsSchema, subgraphTimeoutsSchema]) {
    const result = schema.safeParse(env);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  }
}

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
    /** Namespaces the JetStream stream and consumers (tests, several environments on one NATS). */
    EVENTS_PREFIX: eventsEnvSchema.shape.EVENTS_PREFIX,
    /** Deadline of one fetch to a remote subgraph, in ms (waiting for a slot and one retry included). */
    SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
    /** Fetches in flight to one remote subgraph at most; more wait, within their deadline. */
    SUBGRAPH_MAX_CONCURRENCY: z.coerce.number().int().min(1).default(64),
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
  // Unknown keys pass through: the per-domain settings (<NAME>_SUBGRAPH_URL...) are checked from them.
  .loose()
  .superRefine(refuseDevSecretsInProduction)
  .superRefine(checkPerDomainSettings);

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/** An unset or empty variable is "not given" (an empty string would otherwise coerce to port 0). */
const optionalPort = z.preprocess((value) => (value === "" ? undefined : value), z.coerce.number().int().min(0).max(65535).optional());

/**
 * Where `npm run start:distributed` puts each subgraph process: `<NAME>_PORT` (e.g. `USERS_PORT`) for one, else
 * `SUBGRAPH_BASE_PORT` + its index in the registry (users, inventory, orders, billing...), else its default port
 * (the registry's `defaultPort`, from 4001 up); with `PORT=0` (tests) every subgraph not given a port picks a free one. Ports must not
 * collide with one another, the gateway's `PORT` or `METRICS_PORT`.
 */
const subgraphPortsSchema = z.object(perDomain("_PORT", optionalPort));

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
  })
  // Unknown keys pass through: the per-domain <NAME>_PORT are read from them.
  .loose()
  .transform((env, ctx) => {
    const parsed = subgraphPortsSchema.safeParse(env);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      return z.NEVER;
    }
    const ports = Object.fromEntries(
      SUBGRAPH_NAMES.map((name, index) => [
        name,
        parsed.data[`${envPrefixOf(name)}_PORT`] ?? (env.SUBGRAPH_BASE_PORT !== undefined ? env.SUBGRAPH_BASE_PORT + index : env.PORT === 0 ? 0 : DEFAULT_SUBGRAPH_PORT_OF[name]),
      ]),
    ) as Record<SubgraphName, number>;
    const owners = new Map<number, string>();
    if (env.PORT !== 0) owners.set(env.PORT, "PORT (the gateway)");
    if (env.METRICS_PORT) owners.set(env.METRICS_PORT, "METRICS_PORT");
    for (const name of SUBGRAPH_NAMES) {
      const port = ports[name];
      if (port === 0) continue;
      const other = owners.get(port);
      const variable = `${envPrefixOf(name)}_PORT`;
      if (other) ctx.addIssue({ code: "custom", path: [variable], message: `port ${port} of the ${name} subgraph is also ${other}'s` });
      else owners.set(port, `${variable} (the ${name} subgraph)`);
    }
    return ports;
  });

/** Default ports of the subgraph processes of `npm run start:distributed`: the registry's. */
export const DEFAULT_SUBGRAPH_PORT_OF = Object.fromEntries(DOMAINS.map((domain) => [domain.name, domain.defaultPort])) as Record<SubgraphName, number>;

/** The subgraph processes' ports of `npm run start:distributed` (distributedPortsEnvSchema); exits on a bad setting. */
export function loadDistributedPorts(env: NodeJS.ProcessEnv = process.env): Record<SubgraphName, number> {
  return loadConfig(distributedPortsEnvSchema, env, "gateway");
}


export interface GatewayConfig {
  env: GatewayEnv;
  /** The environment the configuration was read from: each in-process domain reads its own settings from it. */
  source: NodeJS.ProcessEnv;
  port: number;
  host: string;
  /** Subgraphs that run in another process, by name. */
  remoteSubgraphs: Partial<Record<SubgraphName, string>>;
  /** `<NAME>_URL`: where a domain's process serves the ports this process needs from it, when set. */
  providerUrls: Partial<Record<SubgraphName, string>>;
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
  // Checked with the rest by gatewayEnvSchema: these parses succeed.
  const urls = subgraphUrlsSchema.parse(env);
  const processUrls = processUrlsSchema.parse(env);
  const timeouts = subgraphTimeoutsSchema.parse(env);
  const remoteSubgraphs: Partial<Record<SubgraphName, string>> = {};
  const providerUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = urls[`${envPrefixOf(name)}_SUBGRAPH_URL`];
    if (url) remoteSubgraphs[name] = url;
    const processUrl = processUrls[`${envPrefixOf(name)}_URL`];
    if (processUrl) providerUrls[name] = processUrl;
  }
  const subgraphCalls = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, { timeoutMs: timeouts[`${envPrefixOf(name)}_SUBGRAPH_TIMEOUT_MS`] ?? parsed.SUBGRAPH_TIMEOUT_MS, maxConcurrency: parsed.SUBGRAPH_MAX_CONCURRENCY }]),
  ) as GatewayConfig["subgraphCalls"];
  return {
    env: parsed,
    source: env,
    port: parsed.PORT,
    providerUrls,
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

/**
 * What the generic runner of one domain (run-domain.ts) reads beyond the settings every subgraph process shares
 * (runSubgraphProcess reads those) and the domain's own (its env.ts).
 */
// NATS_URL and EVENTS_PREFIX: the events settings every process that sends or receives events shares.
const domainProcessEnvSchema = eventsEnvSchema.loose().superRefine(checkPerDomainSettings);

export interface DomainProcessEnv {
  natsUrl: string;
  eventsPrefix?: string;
  /** `<NAME>_URL`: where each other domain's process serves its ports, when set (else its default port on 127.0.0.1). */
  providerUrls: Partial<Record<SubgraphName, string>>;
}

export function loadDomainProcessEnv(env: NodeJS.ProcessEnv, appName: string): DomainProcessEnv {
  const parsed = loadConfig(domainProcessEnvSchema, env, appName);
  const processUrls = processUrlsSchema.parse(env);
  const providerUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = processUrls[`${envPrefixOf(name)}_URL`];
    if (url) providerUrls[name] = url;
  }
  return { natsUrl: parsed.NATS_URL, eventsPrefix: parsed.EVENTS_PREFIX, providerUrls };
}
