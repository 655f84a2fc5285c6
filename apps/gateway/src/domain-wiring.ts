import type { PrismaClient } from "@monograph/db";
import { EventsRetention, InProcessTransport, NatsJetStreamTransport, OutboxRelay, type EventTransport, type OutboxNotifier } from "@monograph/events";
import {
  childLogger,
  eventsSettingsFrom,
  PortRegistry,
  type BuiltDomain,
  type AnyDomainModule,
  type InternalRoute,
  type ReadinessCheck,
  type SharedSettings,
  type SubgraphModule,
} from "@monograph/platform";

/**
 * The one loop that wires domains for a process, whatever its shape (docs/adr/0014-domain-modules-and-registry.md):
 * the gateway's composition root (every domain, some, or none) and the generic runner of one domain both call it.
 * It knows no domain by name: only what each module declares.
 */
export interface WireDomainsOptions {
  /** The modules of the domains that run in this process. */
  modules: readonly AnyDomainModule[];
  /** Every registered domain runs in this process (the monolith): events stay in process, no port is served over HTTP. */
  everyDomainHere: boolean;
  /**
   * This process's database: each domain gets the client of its own role (`as(name)`: on PostgreSQL the role
   * `monograph_<name>`, granted its own schema only, docs/adr/0016), the relay and the retention sweep the relay's.
   */
  db: { as(role: string): PrismaClient };
  settings: SharedSettings;
  /** The environment each domain reads its own settings from. */
  env: NodeJS.ProcessEnv;
  /** The base URL (no /graphql) of a domain that runs in another process, for the ports this process needs from it. */
  providerUrl: (provider: string) => string;
}

export interface EventsConnection {
  natsUrl: string;
  prefix?: string;
  /** Names this process's NATS connection (monitoring). */
  connectionName: string;
}

export interface WiredDomains {
  /** Each domain's subgraph, in the order of `modules`. */
  subgraphs: SubgraphModule[];
  /** The routes of this process's ports (for consumers elsewhere) and its domains' own routes; undefined when none. */
  routes?: InternalRoute;
  /** Checks of /ready the domains add beyond the database's. */
  readiness: Record<string, ReadinessCheck>;
  /** Loads each domain's demo data into its empty tables; rows added, by domain (domains that added none omitted). */
  seed(): Promise<Record<string, number>>;
  /**
   * Connects the events (in process in the monolith, NATS JetStream otherwise, and only when a domain here
   * subscribes or publishes), registers every subscription, then starts the outbox relay of the sources published
   * here and the domains' background workers. Returns the transport's name, when there is one.
   */
  start(events: EventsConnection): Promise<"in-process" | "NATS JetStream" | undefined>;
  /** Stops the workers, the relay and the transport; safe to call whether or not `start` ran. */
  stop(): Promise<void>;
}

export async function wireDomains(options: WireDomainsOptions): Promise<WiredDomains> {
  const { modules, settings, env } = options;
  const dbOf = (role: string) => options.db.as(role);
  const here = new Set(modules.map((module) => module.name));
  const ports = new PortRegistry();
  const routes: InternalRoute[] = [];

  // Ports provided here: their in-process implementation, and their routes when a consumer may run elsewhere.
  for (const module of modules) {
    for (const provision of module.provides ?? []) {
      const provided = provision.create({ db: dbOf(module.name), env });
      ports.set(provision.port, provided.api);
      if (!options.everyDomainHere && provided.routes) routes.push(provided.routes(settings.INTERNAL_SECRET));
    }
  }
  // Ports needed here and provided elsewhere: the consumer's own HTTP client, at the provider's process.
  for (const module of modules) {
    for (const need of module.needs ?? []) {
      if (ports.has(need.port)) continue;
      if (here.has(need.provider)) throw new Error(`${module.name} needs the port "${need.port}" from ${need.provider}, which runs here but does not provide it`);
      ports.set(need.port, need.remote({ baseUrl: options.providerUrl(need.provider), internalSecret: settings.INTERNAL_SECRET, env }));
    }
  }

  // The relay exists only once the transport is connected; until then its first poll catches up on anything written.
  let relay: OutboxRelay | undefined;
  const outbox: OutboxNotifier = { notify: () => relay?.notify() };
  const built: BuiltDomain[] = [];
  for (const module of modules) built.push(await module.build({ db: dbOf(module.name), settings, env, ports, outbox, log: childLogger(module.name) }));
  for (const domain of built) if (domain.routes) routes.push(domain.routes);

  let transport: EventTransport | undefined;
  let retention: EventsRetention | undefined;
  let started = false;
  const workers = built.flatMap((domain) => domain.workers ?? []);
  const sources = modules.flatMap((module) => module.publishes ?? []);

  return {
    subgraphs: built.map((domain) => domain.subgraph),
    routes: routes.length === 0 ? undefined : firstRouteThatAnswers(routes),
    readiness: Object.assign({}, ...built.map((domain) => domain.readiness ?? {})) as Record<string, ReadinessCheck>,
    seed: async () => {
      const rows: Record<string, number> = {};
      for (const module of modules) {
        const added = (await module.seed?.(dbOf(module.name))) ?? 0;
        if (added > 0) rows[module.name] = added;
      }
      return rows;
    },
    start: async (events) => {
      const subscribers = built.filter((domain) => domain.subscribe);
      if (subscribers.length === 0 && sources.length === 0) return undefined;
      // In the monolith, producer and consumer always share this process; as soon as one domain runs elsewhere, a
      // producer here may have its consumer there and the other way round.
      transport = options.everyDomainHere
        ? new InProcessTransport()
        : await NatsJetStreamTransport.connect({ servers: events.natsUrl, prefix: events.prefix, connectionName: events.connectionName });
      for (const domain of subscribers) await domain.subscribe!(transport);
      const eventSettings = eventsSettingsFrom(settings);
      if (sources.length > 0) {
        relay = new OutboxRelay({ db: dbOf("relay"), transport, sources, claimLeaseMs: eventSettings.claimLeaseMs });
        relay.start();
      }
      // Keeps the events tables bounded (docs/adr/0015): the delivered outbox rows of the sources relayed here, and
      // the inbox rows of the domains that consume here (a domain's inbox consumer is named after it). Replicas
      // split the sweep.
      const consumers = modules.filter((_, index) => built[index]!.subscribe).map((module) => module.name);
      retention = new EventsRetention({ db: dbOf("relay"), sources, consumers, ...eventSettings.retention });
      retention.start();
      for (const worker of workers) worker.start();
      started = true;
      return options.everyDomainHere ? "in-process" : "NATS JetStream";
    },
    stop: async () => {
      if (started) for (const worker of workers) await worker.stop();
      await retention?.stop();
      await relay?.stop();
      await transport?.close();
    },
  };
}

/** Tries each route in turn; the first that answers the request wins. */
export function firstRouteThatAnswers(routes: readonly InternalRoute[]): InternalRoute {
  return async (request, response) => {
    for (const route of routes) if (await route(request, response)) return true;
    return false;
  };
}
