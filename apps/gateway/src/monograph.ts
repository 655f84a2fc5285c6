import { BILLING_SOURCE, createBillingSubgraph, registerBillingSubscriptions, SimulatedPaymentProvider } from "@monograph/billing-subgraph";
import { databaseTargetFrom, describeTarget, openDatabase, type DatabaseHandle, type DatabaseTarget } from "@monograph/db";
import {
  DEFAULT_NATS_URL,
  InProcessTransport,
  NatsJetStreamTransport,
  NO_OUTBOX_NOTIFIER,
  OutboxRelay,
  type EventTransport,
  type OutboxNotifier,
} from "@monograph/events";
import {
  createInventoryReservations,
  createInventorySubgraph,
  createReservationSweeper,
  HttpOrderPlacements,
  inventoryInternalRoutes,
  registerInventorySubscriptions,
  seedInventory,
  type InventoryReservations,
  type ReservationSweeper,
} from "@monograph/inventory-subgraph";
import {
  createOrderPlacements,
  createOrdersSubgraph,
  HttpInventoryClient,
  ORDERS_SOURCE,
  ordersInternalRoutes,
  registerOrdersSubscriptions,
  type InventoryClient,
} from "@monograph/orders-subgraph";
import { childLogger, fromRepoRoot, shouldSeedDemoData, type RunningServer, type SubgraphModule } from "@monograph/platform";
import { readCommittedSupergraph, readPersistedOperations } from "@monograph/schema";
import { startMetricsServer } from "@monograph/telemetry";
import { createUsersSubgraph, seedUsers } from "@monograph/users-subgraph";
import { SUBGRAPH_NAMES, type GatewayConfig, type SubgraphName } from "./env.ts";
import { mainFlowExplorer } from "./explorer-examples.ts";
import { explorerRoutes } from "./explorer.ts";
import { startGateway, type GatewayOptions, type SubgraphLocation } from "./gateway.ts";
import { createThrottleStore } from "./throttle.ts";
import { startUsageReporting, type UsageReporter } from "./usage.ts";

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
 * them. Every subgraph runs in this process unless its <NAME>_SUBGRAPH_URL is set (hybrid); with all four set, this
 * is the distributed shape's gateway, and it opens no database at all.
 */
export async function startMonograph(options: MonographOptions): Promise<RunningMonograph> {
  const { config } = options;
  const inProcess = SUBGRAPH_NAMES.filter((name) => !config.remoteSubgraphs[name]);
  const target = options.database ?? databaseTargetFrom(config.env.DATABASE_URL, fromRepoRoot(config.env.PGLITE_DATA_DIR ?? ".data/pglite"), config.env.DATABASE_ROLE_PASSWORD_DIR);
  const seed = options.seed ?? shouldSeedDemoData(config.env);
  if (seed && config.env.NODE_ENV === "production") throw new Error("Demo data is never loaded in production (NODE_ENV=production).");

  const db = inProcess.length > 0 ? await openDatabase({ target, onQuery: options.onQuery }) : undefined;
  // METRICS_PORT: /metrics on a port of its own (which need not be public) rather than the API's.
  const metricsServer = config.env.METRICS_PORT === undefined ? undefined : await startMetricsServer(config.env.METRICS_PORT, config.host);
  let domains: InProcessDomains | undefined;
  let throttleStore: Awaited<ReturnType<typeof createThrottleStore>> | undefined;
  let usage: UsageReporter | undefined;
  try {
    throttleStore = await createThrottleStore(config.throttle.store);
    usage = await startUsageReporting({ config, db, target });
    const locations: Record<string, SubgraphLocation> = {};
    for (const [name, url] of Object.entries(config.remoteSubgraphs)) locations[name] = { kind: "remote", url, policy: config.subgraphCalls[name as SubgraphName] };

    const routes: NonNullable<GatewayOptions["extraRoutes"]>[] = [];
    if (config.explorer) routes.push(explorerRoutes(mainFlowExplorer()));
    if (db) {
      domains = await wireInProcessDomains(db, config, inProcess);
      if (seed) await seedDemoData(db, inProcess);
      for (const module of domains.modules) {
        locations[module.name] = { kind: "in-process", schema: module.schema, createContext: (context) => module.createContext(context.caller) };
      }
      if (domains.internalRoutes) routes.push(domains.internalRoutes);
      // Started after seeding, so that the first poll also delivers anything a previous run left in the outbox.
      domains.relay?.start();
      domains.sweeper?.start();
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
      readiness: { ...(db ? { database: db.ping } : {}), ...remoteReadiness(config.remoteSubgraphs), ...(config.throttle.store.redisUrl ? { throttle: throttleStore.ping.bind(throttleStore) } : {}) },
      safelist: config.operations === "safelist" ? readPersistedOperations() : undefined,
      apolloTelemetry: config.apolloTelemetry,
      metrics: metricsServer === undefined,
      extraRoutes: routes.length > 0 ? firstRouteThatAnswers(routes) : undefined,
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
        (domains?.transportName ? `; events: ${domains.transportName}` : ""),
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

/** The domains of this process, wired to each other and to the event transport. */
interface InProcessDomains {
  modules: SubgraphModule[];
  /** Delivers the outbox rows of the domains that publish from this process. */
  relay?: OutboxRelay;
  transportName?: "in-process" | "NATS JetStream";
  /** Inventory's service-to-service routes, when orders runs elsewhere and reserves stock here (or orders' for the sweeper). */
  internalRoutes?: GatewayOptions["extraRoutes"];
  /** Releases stock held for orders that never appeared, when inventory runs here. */
  sweeper?: ReservationSweeper;
  stop(): Promise<void>;
}

/**
 * Builds every in-process domain with its dependencies. Events: when all four domains share this process, an
 * in-process transport (the monolith); as soon as one runs elsewhere, NATS JetStream, because a producer here may
 * have its consumer there and the other way round. Stock reservations: a direct call when inventory is here,
 * HTTP to inventory's process otherwise.
 */
async function wireInProcessDomains(db: DatabaseHandle, config: GatewayConfig, names: SubgraphName[]): Promise<InProcessDomains> {
  const here = (name: SubgraphName) => names.includes(name);
  const reservations = here("inventory") ? createInventoryReservations({ db: db.as("inventory") }) : undefined;

  let transport: EventTransport | undefined;
  let transportName: InProcessDomains["transportName"];
  if (here("inventory") || here("orders") || here("billing")) {
    if (names.length === SUBGRAPH_NAMES.length) {
      transport = new InProcessTransport();
      transportName = "in-process";
    } else {
      transport = await NatsJetStreamTransport.connect({
        servers: config.env.NATS_URL ?? DEFAULT_NATS_URL,
        prefix: config.env.EVENTS_PREFIX,
        connectionName: "monograph-gateway",
      });
      transportName = "NATS JetStream";
    }
  }
  const sources = [...(here("orders") ? [ORDERS_SOURCE] : []), ...(here("billing") ? [BILLING_SOURCE] : [])];
  const relay = transport && sources.length > 0 ? new OutboxRelay({ db: db.as("relay"), transport, sources }) : undefined;
  const outbox: OutboxNotifier = relay ?? NO_OUTBOX_NOTIFIER;

  const modules: SubgraphModule[] = [];
  try {
    if (here("users")) {
      const { JWT_SECRET, ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL } = config.env;
      modules.push(createUsersSubgraph({ db: db.as("users"), jwtSecret: JWT_SECRET, accessTokenTtlSeconds: ACCESS_TOKEN_TTL, refreshTokenTtlSeconds: REFRESH_TOKEN_TTL }));
    }
    if (here("inventory")) {
      modules.push(createInventorySubgraph({ db: db.as("inventory") }));
      await registerInventorySubscriptions(transport!, { db: db.as("inventory"), reservations: reservations! });
    }
    if (here("orders")) {
      const inventory = reservations ? inProcessInventoryClient(reservations) : remoteInventoryClient(config);
      modules.push(createOrdersSubgraph({ db: db.as("orders"), inventory, outbox }));
      await registerOrdersSubscriptions(transport!, { db: db.as("orders") });
    }
    if (here("billing")) {
      // No real payment provider is wired yet: charges go through the simulated one.
      modules.push(createBillingSubgraph({ db: db.as("billing"), payments: new SimulatedPaymentProvider(), outbox }));
      await registerBillingSubscriptions(transport!, { db: db.as("billing") });
    }
  } catch (error) {
    await transport?.close();
    throw error;
  }

  // The placement protocol (docs/adr/0011): inventory's sweeper asks orders, in this process or over HTTP, and
  // this process answers inventory's sweeper over HTTP when orders runs here and inventory does not.
  const placements = here("orders") ? createOrderPlacements({ db: db.as("orders") }) : undefined;
  const sweeper = reservations
    ? createReservationSweeper({
        db: db.as("inventory"),
        reservations,
        placements: placements ?? remoteOrderPlacements(config),
        graceMs: config.env.RESERVATION_GRACE_MS,
        intervalMs: config.env.RESERVATION_SWEEP_INTERVAL_MS,
      })
    : undefined;
  let internalRoutes: GatewayOptions["extraRoutes"];
  if (reservations && !here("orders")) internalRoutes = inventoryInternalRoutes(reservations, config.env.INTERNAL_SECRET);
  if (placements && !here("inventory")) internalRoutes = ordersInternalRoutes(placements, config.env.INTERNAL_SECRET);

  return {
    modules,
    relay,
    transportName,
    internalRoutes,
    sweeper,
    stop: async () => {
      await sweeper?.stop();
      await relay?.stop();
      await transport?.close();
    },
  };
}

/** Orders' InventoryClient as a direct call into inventory's reservations (both domains in this process). */
function inProcessInventoryClient(reservations: InventoryReservations): InventoryClient {
  return {
    reserve: (orderId, lines) => reservations.reserve(orderId, lines),
    release: async (orderId) => void (await reservations.release(orderId)),
    commit: async (orderId) => void (await reservations.commit(orderId)),
  };
}

/** Orders' InventoryClient over HTTP, when inventory runs in its own process. */
function remoteInventoryClient(config: GatewayConfig): InventoryClient {
  const subgraphUrl = config.remoteSubgraphs.inventory;
  const baseUrl = config.env.INVENTORY_URL ?? subgraphUrl?.replace(/\/graphql\/?$/, "");
  if (!baseUrl) throw new Error("Orders runs here but inventory does not: set INVENTORY_URL or INVENTORY_SUBGRAPH_URL.");
  return new HttpInventoryClient({ baseUrl, internalSecret: config.env.INTERNAL_SECRET, timeoutMs: config.env.INVENTORY_TIMEOUT_MS });
}

/** What inventory's sweeper asks orders over HTTP, when orders runs in its own process. */
function remoteOrderPlacements(config: GatewayConfig): HttpOrderPlacements {
  const baseUrl = config.env.ORDERS_URL ?? config.remoteSubgraphs.orders?.replace(/\/graphql\/?$/, "");
  if (!baseUrl) throw new Error("Inventory runs here but orders does not: set ORDERS_URL or ORDERS_SUBGRAPH_URL.");
  return new HttpOrderPlacements({ baseUrl, internalSecret: config.env.INTERNAL_SECRET });
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

/** Tries each route in turn; the first that answers the request wins. */
function firstRouteThatAnswers(routes: NonNullable<GatewayOptions["extraRoutes"]>[]): NonNullable<GatewayOptions["extraRoutes"]> {
  return async (request, response) => {
    for (const route of routes) if (await route(request, response)) return true;
    return false;
  };
}

/** The demo data of the domains in this process, into tables that are still empty; says so when it loads any. */
async function seedDemoData(db: DatabaseHandle, names: SubgraphName[]): Promise<void> {
  const users = names.includes("users") ? await seedUsers(db.as("users")) : 0;
  const products = names.includes("inventory") ? await seedInventory(db.as("inventory")) : 0;
  if (users + products > 0) childLogger("gateway").info({ users, products }, "seeded demo data into empty tables");
}
