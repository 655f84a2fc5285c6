/**
 * The contract between a domain and a composition root (docs/adr/0014-domain-modules-and-registry.md).
 *
 * A domain describes itself once, as a `DomainModule`: the ports it provides to other domains and the ports it
 * needs from them, the outbox sources it publishes from, and `build`, which turns injected dependencies (its
 * database handle, its settings, the ports it needs, the outbox notifier) into what a process runs: the subgraph,
 * its event subscriptions, background workers, internal routes and readiness checks; `seed` loads its demo data.
 * A composition root (the gateway's `startMonograph`, the generic runner of one domain) reads only this, for any
 * shape: it never names a domain.
 *
 * Sealed data (docs/adr/0016): a module is generic over its domain's database handle (`DomainModule<OrdersDb>`, a
 * `DomainDb` of its own models), and `build`, `seed` and each provided port's `create` receive that handle, so a
 * domain's wiring code cannot reach another domain's tables either. A composition root holds every module as an
 * `AnyDomainModule` and hands each the client of its own role: a `PrismaClient` fits every domain's narrower handle.
 *
 * This file imports types only: a process that loads the descriptor type loads no database or event code.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PrismaClient } from "@monograph/db";
import type { EventSubscriber, OutboxNotifier } from "@monograph/events";
import type { Logger } from "@monograph/telemetry";
import type { z } from "zod";
import type { sharedEnvSchema } from "./config.ts";
import type { ReadinessCheck } from "./http.ts";
import type { SubgraphModule } from "./subgraph.ts";

/** An HTTP route of a process: answers the request and returns true, or returns false to let the next one try. */
export type InternalRoute = (request: IncomingMessage, response: ServerResponse) => Promise<boolean> | boolean;

/** The settings every process parses (secrets, token lifetimes, the database); a domain reads its own from `env`. */
export type SharedSettings = z.infer<typeof sharedEnvSchema>;

/**
 * A port's contract: its name and the interface its provider implements and its consumers call. It exists only
 * as a type: the providing domain exports it from its `contracts` entry (type-only, no runtime code), and both
 * sides name it, so that neither imports the other's code.
 *
 *   export type ReservationsPort = PortContract<"reservations", Reservations>;
 */
export interface PortContract<TName extends string = string, TApi = unknown> {
  readonly name: TName;
  /** Never set: carries the interface's type. */
  readonly api?: TApi;
}

/** The interface of a port contract. */
export type PortApi<P extends PortContract> = P extends PortContract<string, infer TApi> ? TApi : never;

/** What a composition root hands to a port's provider: the domain's database handle (`Db`) and settings. */
export interface ProvideDeps<Db> {
  db: Db;
  env: NodeJS.ProcessEnv;
}

/** A port as its provider runs it: the in-process implementation, and the routes that serve it to other processes. */
export interface ProvidedPort<TApi> {
  api: TApi;
  /** The service-to-service HTTP routes over `api`, signed with the internal secret; mounted when a consumer may be elsewhere. */
  routes?: (internalSecret: string) => InternalRoute;
}

/**
 * A port a domain provides, its contract erased for the registry's loop (see `providePort`). `create` is a property,
 * not a method, so that its parameter is checked contravariantly: a provision that asks for a wider handle than its
 * domain's (`PortProvision<PrismaClient>` in a `DomainModule<OrdersDb>`) does not compile.
 */
export interface PortProvision<Db> {
  readonly port: string;
  readonly create: (deps: ProvideDeps<Db>) => ProvidedPort<unknown>;
}

/** What a consumer's HTTP client of a port is built from, when the provider runs in another process. */
export interface RemotePortDeps {
  /** The provider's base URL (no /graphql): `<PROVIDER>_URL`, else its subgraph URL, else its default local port. */
  baseUrl: string;
  internalSecret: string;
  env: NodeJS.ProcessEnv;
}

/** A port a domain needs, type-erased for the registry's loop (see `needPort`). */
export interface PortNeed {
  readonly port: string;
  /** The domain that provides it: the composition root calls it in-process when it runs here, over HTTP otherwise. */
  readonly provider: string;
  remote(deps: RemotePortDeps): unknown;
}

/**
 * Declares a port a domain provides, over the domain's handle: `providePort<PlacementsPort, OrdersDb>(...)`. The
 * contract `P` types both the implementation and its routes; the result is erased for the composition root, which
 * matches provisions and needs by name. `Db` is never inferred: left out, the handle is `unknown` and reaches nothing.
 */
export function providePort<P extends PortContract, Db = unknown>(
  port: P["name"],
  create: (deps: ProvideDeps<NoInfer<Db>>) => ProvidedPort<PortApi<P>>,
): PortProvision<Db> {
  return { port, create };
}

/**
 * Declares a port a domain needs, from `provider`, with the consumer's own HTTP client for when the provider runs
 * in another process. Inside `build`, `deps.ports.get<P>(name)` gives the implementation, in-process or remote.
 */
export function needPort<P extends PortContract>(port: P["name"], provider: string, remote: (deps: RemotePortDeps) => PortApi<P>): PortNeed {
  return { port, provider, remote };
}

/** The ports a domain's `build` can reach: the ones it needs, and the ones it provides itself. */
export interface PortLookup {
  get<P extends PortContract>(port: P["name"]): PortApi<P>;
}

/**
 * The one place a port's implementation regains its type. Sound as long as one name means one contract: each
 * contract is declared once, by its provider, and providers and consumers name that declaration.
 */
export class PortRegistry implements PortLookup {
  private readonly implementations = new Map<string, unknown>();

  set(port: string, implementation: unknown): void {
    if (this.implementations.has(port)) throw new Error(`port "${port}" is provided twice in this process`);
    this.implementations.set(port, implementation);
  }

  has(port: string): boolean {
    return this.implementations.has(port);
  }

  get<P extends PortContract>(port: P["name"]): PortApi<P> {
    if (!this.implementations.has(port)) throw new Error(`port "${port}" is neither provided in this process nor declared as needed`);
    return this.implementations.get(port) as PortApi<P>;
  }
}

/** What a composition root injects into a domain's `build`. */
export interface DomainDeps<Db> {
  /** The domain's own handle (its `DomainDb`): its models, and its transactions over them and its event tables. */
  db: Db;
  /** Settings every process shares (secrets, token lifetimes). */
  settings: SharedSettings;
  /** The process's environment: the domain parses its own settings from it (its env.ts). */
  env: NodeJS.ProcessEnv;
  ports: PortLookup;
  /** Wakes the relay after a transaction that wrote to the outbox (the relay's poll finds the rows anyway). */
  outbox: OutboxNotifier;
  log: Logger;
}

/** Work a domain runs in the background once its process serves (inventory's reservation sweeper). */
export interface BackgroundWorker {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

/** A domain built for one process. */
export interface BuiltDomain {
  subgraph: SubgraphModule;
  /** Registers the domain's event handlers (once per process, before its relay starts). */
  subscribe?: (subscriber: EventSubscriber) => Promise<void>;
  workers?: readonly BackgroundWorker[];
  /** HTTP routes of the domain beyond its ports' (none today). */
  routes?: InternalRoute;
  /** Checks of /ready beyond the database's. */
  readiness?: Record<string, ReadinessCheck>;
}

/**
 * A domain, over its database handle `Db` (its `DomainDb<...>`). `Db` appears only in what the module receives, and
 * `seed`, `build` and each provision's `create` are properties (checked contravariantly), so `DomainModule<OrdersDb>`
 * is assignable to `AnyDomainModule` exactly because a `PrismaClient` is assignable to `OrdersDb`.
 */
export interface DomainModule<Db> {
  /** The subgraph's name in the supergraph and the registry, e.g. "orders". */
  readonly name: string;
  /** The outbox sources whose rows the relay of this domain's process publishes (none: it publishes no events). */
  readonly publishes?: readonly string[];
  readonly provides?: readonly PortProvision<Db>[];
  readonly needs?: readonly PortNeed[];
  /**
   * Loads the demo data into the domain's empty tables and returns how many rows it added. Apart from `build`: a
   * seed needs the database only (npm run db:seed, the tests' pre-seeded databases).
   */
  readonly seed?: (db: Db) => Promise<number>;
  readonly build: (deps: DomainDeps<Db>) => BuiltDomain | Promise<BuiltDomain>;
}

/**
 * Any domain, as the registry returns it and a composition root holds it: the root hands each domain the client of
 * its own role (on PostgreSQL `monograph_<name>`), which fits every domain's narrower handle.
 */
export type AnyDomainModule = DomainModule<PrismaClient>;

/**
 * Names what a domain module is, and checks it against the descriptor, over the domain's own handle:
 * `export default defineDomain<OrdersDb>({ ... })`. `Db` is never inferred: left out, the handle is `unknown` and
 * reaches nothing. The whole client is refused: a domain's handle has no raw SQL (docs/adr/0016).
 */
export function defineDomain<Db = unknown>(module: DomainModule<NoInfer<Db>> & WithoutRawSql<Db>): DomainModule<Db> {
  return module;
}

/** Refuses a handle with raw SQL (the whole `PrismaClient`): the descriptor cannot fit a string. */
type WithoutRawSql<Db> = Db extends { $queryRaw: unknown } | { $executeRaw: unknown } ? "a domain's handle is its DomainDb, not the whole client" : unknown;
