import type { DatabaseHandle } from "@monograph/db";
import { databaseTargetFrom, describeTarget, type DatabaseTarget } from "@monograph/db/target";
import { envPrefixOf, loadDomains } from "@monograph/domains";
import { DEFAULT_NATS_URL } from "@monograph/events/env";
import { childLogger, fromRepoRoot, shouldSeedDemoData, type RunningServer } from "@monograph/platform";
import { readCommittedSupergraph, readPersistedOperations } from "@monograph/schema/runtime";
import { startMetricsServer } from "@monograph/telemetry";
import type { WiredDomains } from "./domain-wiring.ts";
import { SUBGRAPH_NAMES, type GatewayConfig, type SubgraphName } from "./env.ts";
import { createThrottleStore, startGateway, type GatewayOptions, type SubgraphLocation } from "@monograph/gateway-core";
import type { UsageReporter } from "./usage.ts";

export interface MonographOptions {
  config: GatewayConfig;
  /** Overrides the database chosen by the configuration (tests pass a fresh one). */
  database?: DatabaseTarget;
  /**
   * Load demo data (the README's accounts and products) into empty tables. Default: SEED_DEMO_DATA, else in
   * development only (NODE_ENV=development), on any database. Never in production: asking for it there is an error.
   */
  seed?: boolean;
  /** Overrides the committed supergraph. */
  supergraphSdl?: string;
  /** Sees every SQL statement (tests and benchmarks count them). */
  onQuery?: (sql: string) => void;
  /** The data source of each in-process subgraph (GatewayOptions.inProcessDataSource; the benchmark compares them). */
  inProcessDataSource?: GatewayOptions["inProcessDataSource"];
}

export interface RunningMonograph extends RunningServer {
  /** Subgraphs served in this process; the others are remote. */
  inProcess: SubgraphName[];
  /** This process's database, when any subgraph runs in it. */
  db?: DatabaseHandle;
  /** Usage reporting, unless USAGE_REPORTING=off (or a distributed gateway without DATABASE_URL). */
  usage?: UsageReporter;
}

/**
 * The composition root of the monolith: the one place that sees every domain's concrete implementation and wires
 * them. Every subgraph runs in this process unless its <NAME>_SUBGRAPH_URL is set (hybrid); with every one set, this
 * is the distributed shape's gateway, and it opens no database at all.
 */
export async function startMonograph(options: MonographOptions): Promise<RunningMonograph> {
  const { config } = options;
  const inProcess = SUBGRAPH_NAMES.filter((name) => !config.remoteSubgraphs[name]);
  const seed = options.seed ?? shouldSeedDemoData(config.env);
  if (seed && config.env.NODE_ENV === "production") throw new Error("Demo data is never loaded in production (NODE_ENV=production).");

  // Only a process that runs a domain loads the database layer (Prisma, the drivers) and the domains' code: a
  // gateway whose every subgraph is remote loads neither.
  const dbModule = inProcess.length > 0 ? await import("@monograph/db") : undefined;
  const target = options.database ?? databaseTargetFrom(config.env.DATABASE_URL, fromRepoRoot(config.env.PGLITE_DATA_DIR ?? ".data/pglite"), config.env.DATABASE_ROLE_PASSWORD_DIR);
  const db = dbModule ? await dbModule.openDatabase({ target, onQuery: options.onQuery }) : undefined;
  // METRICS_PORT: /metrics on a port of its own (which need not be public) rather than the API's.
  const metricsServer = config.env.METRICS_PORT === undefined ? undefined : await startMetricsServer(config.env.METRICS_PORT, config.host);
  let domains: WiredDomains | undefined;
  let throttleStore: Awaited<ReturnType<typeof createThrottleStore>> | undefined;
  let usage: UsageReporter | undefined;
  try {
    throttleStore = await createThrottleStore(config.throttle.store);
    // Usage reporting writes to a database: this process's, or PostgreSQL's for a gateway without one (usage.ts).
    // Without either, it is off; and it is loaded only when it runs, since it brings the database layer.
    if (config.usageReporting && (db || target.kind === "postgres")) usage = await (await import("./usage.ts")).startUsageReporting({ config, db, target });
    const locations: Record<string, SubgraphLocation> = {};
    for (const [name, url] of Object.entries(config.remoteSubgraphs)) locations[name] = { kind: "remote", url, policy: config.subgraphCalls[name as SubgraphName] };

    const routes: NonNullable<GatewayOptions["extraRoutes"]>[] = [];
    // The examples sign in as a demo account of the users domain's demo data: loaded only when the explorer is on
    // (never in production), so that a gateway without it loads no domain code.
    if (config.explorer) {
      const [{ explorerRoutes }, { mainFlowExplorer }] = await Promise.all([import("@monograph/gateway-core/explorer"), import("./explorer-examples.ts")]);
      routes.push(explorerRoutes(mainFlowExplorer()));
    }
    let transportName: string | undefined;
    if (db) {
      const { wireDomains } = await import("./domain-wiring.ts");
      domains = await wireDomains({
        modules: await loadDomains(inProcess),
        everyDomainHere: inProcess.length === SUBGRAPH_NAMES.length,
        db,
        settings: config.env,
        env: config.source,
        providerUrl: (provider) => providerUrlOf(config, provider as SubgraphName),
      });
      if (seed) {
        const rows = await domains.seed();
        if (Object.keys(rows).length > 0) childLogger("gateway").info({ rows }, "seeded demo data into empty tables");
      }
      for (const module of domains.subgraphs) {
        locations[module.name] = {
          kind: "in-process",
          schema: module.schema,
          // The subgraph's context carries the gateway's request, as a subgraph process's carries its own.
          createContext: (context) => Object.assign(module.createContext(context.caller), { request: context.request }),
        };
      }
      if (domains.routes) routes.push(domains.routes);
      // Started after seeding, so that the first poll also delivers anything a previous run left in the outbox.
      transportName = await domains.start({ natsUrl: config.env.NATS_URL ?? DEFAULT_NATS_URL, prefix: config.env.EVENTS_PREFIX, connectionName: "monograph-gateway" });
    }

    const server = await startGateway({
      supergraphSdl: options.supergraphSdl ?? readCommittedSupergraph(),
      subgraphs: locations,
      jwtSecret: config.env.JWT_SECRET,
      internalSecret: config.env.INTERNAL_SECRET,
      port: config.port,
      host: config.host,
      introspection: config.introspection,
      limits: config.edge.limits,
      edge: config.edge.http,
      fieldSuggestions: config.fieldSuggestions,
      // Ready when its database answers and so does every remote subgraph: each is needed by some field.
      readiness: { ...(db ? { database: db.ping } : {}), ...domains?.readiness, ...remoteReadiness(config.remoteSubgraphs), ...(config.throttle.store.redisUrl ? { throttle: throttleStore.ping.bind(throttleStore) } : {}) },
      safelist: config.operations === "safelist" ? readPersistedOperations() : undefined,
      apolloTelemetry: config.apolloTelemetry,
      metrics: metricsServer === undefined,
      extraRoutes: routes.length === 0 ? undefined : async (request, response) => {
        // The first route that answers the request wins.
        for (const route of routes) if (await route(request, response)) return true;
        return false;
      },
      plugins: usage ? [usage.plugin()] : [],
      onStop: async () => {
        try {
          await domains?.stop();
        } finally {
          await throttleStore?.close();
          await metricsServer?.stop();
          await db?.close();
        }
      },
      throttle: { store: throttleStore, limits: config.throttle.limits },
      trustProxy: config.throttle.trustProxy,
      inProcessDataSource: options.inProcessDataSource,
    });
    const shape = inProcess.length === SUBGRAPH_NAMES.length ? "monolith" : inProcess.length === 0 ? "distributed" : "hybrid";
    childLogger("gateway").info(
      { shape, url: server.graphqlUrl },
      `${shape}: ${server.graphqlUrl}` +
        (db ? ` on ${describeTarget(target)}; in process: ${inProcess.join(", ")}` : "") +
        (Object.keys(config.remoteSubgraphs).length ? `; remote: ${Object.keys(config.remoteSubgraphs).join(", ")}` : "") +
        (transportName ? `; events: ${transportName}` : ""),
    );
    return { ...server, inProcess, db, usage };
  } catch (error) {
    await usage?.stop();
    await domains?.stop();
    await throttleStore?.close();
    await metricsServer?.stop();
    await db?.close();
    throw error;
  }
}

/**
 * The base URL of a domain that runs in another process, for the ports a domain here needs from it: its <NAME>_URL,
 * else its <NAME>_SUBGRAPH_URL without the /graphql path.
 */
function providerUrlOf(config: GatewayConfig, provider: SubgraphName): string {
  const url = config.providerUrls[provider] ?? config.remoteSubgraphs[provider]?.replace(/\/graphql\/?$/, "");
  if (!url) {
    const prefix = envPrefixOf(provider);
    throw new Error(`A domain here needs ${provider}, which runs neither here nor at a known URL: set ${prefix}_URL or ${prefix}_SUBGRAPH_URL.`);
  }
  return url;
}

/** One readiness check per remote subgraph: its own GET /ready, within 1.5 s. */
function remoteReadiness(remote: GatewayConfig["remoteSubgraphs"]): Record<string, () => Promise<void>> {
  return Object.fromEntries(
    Object.entries(remote).map(([name, url]) => {
      const readyUrl = `${url.replace(/\/graphql\/?$/, "")}/ready`;
      const check = async () => {
        const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1_500) });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`${name} is not ready (${response.status})`);
      };
      return [name, check];
    }),
  );
}
