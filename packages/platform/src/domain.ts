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

/** What a composition root hands to a port's provider: the domain's database and settings. */
export interface ProvideDeps {
  db: PrismaClient;
  env: NodeJS.ProcessEnv;
}

/** A port as its provider runs it: the in-process implementation, and the routes that serve it to other processes. */
export interface ProvidedPort<TApi> {
  api: TApi;
  /** The service-to-service HTTP routes over `api`, signed with the internal secret; mounted when a consumer may be elsewhere. */
  routes?: (internalSecret: string) => InternalRoute;
}

/** A port a domain provides, type-erased for the registry's loop (see `providePort`). */
export interface PortProvision {
  readonly port: string;
  create(deps: ProvideDeps): ProvidedPort<unknown>;
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
 * Declares a port a domain provides. The contract `P` types both the implementation and its routes; the result is
 * erased for the composition root, which matches provisions and needs by name.
 */
export function providePort<P extends PortContract>(port: P["name"], create: (deps: ProvideDeps) => ProvidedPort<PortApi<P>>): PortProvision {
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
export interface DomainDeps {
  db: PrismaClient;
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

/** A domain, as the registry's lazy loader returns it. */
export interface DomainModule {
  /** The subgraph's name in the supergraph and the registry, e.g. "orders". */
  readonly name: string;
  /** The outbox sources whose rows the relay of this domain's process publishes (none: it publishes no events). */
  readonly publishes?: readonly string[];
  readonly provides?: readonly PortProvision[];
  readonly needs?: readonly PortNeed[];
  /**
   * Loads the demo data into the domain's empty tables and returns how many rows it added. Apart from `build`: a
   * seed needs the database only (npm run db:seed, the tests' pre-seeded databases).
   */
  seed?(db: PrismaClient): Promise<number>;
  build(deps: DomainDeps): BuiltDomain | Promise<BuiltDomain>;
}

/** Names what a domain module is, and checks it against the descriptor (`export default defineDomain({ ... })`). */
export function defineDomain(module: DomainModule): DomainModule {
  return module;
}
