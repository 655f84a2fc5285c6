/**
 * The one registry of Monograph's domains (docs/adr/0014-domain-modules-and-registry.md). Adding a domain means
 * adding its line here (and its package to this package's dependencies); everything that needs the list of
 * domains reads it from here: the gateway's composition root and configuration, the generic runner of one domain,
 * the distributed launcher, the schema package's subgraph list, the boundary checks, deploy-check, the tests.
 *
 * Each entry loads its domain lazily: importing this file loads no domain code, no Prisma and no database driver,
 * so a gateway whose every subgraph is remote loads none of them.
 */
import type { AnyDomainModule } from "@monograph/platform";

export interface DomainEntry {
  /** The subgraph's name: its folder is apps/<name>-subgraph, its variables <NAME>_SUBGRAPH_URL, <NAME>_PORT... */
  readonly name: string;
  /** Its port when it runs alone (npm run start:distributed, the committed supergraph's placeholder URL). */
  readonly defaultPort: number;
  /**
   * Loads the domain's module (its `module` entry) when a process runs the domain. Typed: each domain's
   * `DomainModule<ItsDb>` is checked here to fit the client a composition root hands it.
   */
  readonly load: () => Promise<AnyDomainModule>;
}

/** Every domain, in the order of the supergraph. */
export const DOMAINS = [
  { name: "users", defaultPort: 4001, load: async () => (await import("@monograph/users-subgraph/module")).default },
  { name: "inventory", defaultPort: 4002, load: async () => (await import("@monograph/inventory-subgraph/module")).default },
  { name: "orders", defaultPort: 4003, load: async () => (await import("@monograph/orders-subgraph/module")).default },
  { name: "billing", defaultPort: 4004, load: async () => (await import("@monograph/billing-subgraph/module")).default },
  { name: "notifications", defaultPort: 4005, load: async () => (await import("@monograph/notifications-subgraph/module")).default },
] as const satisfies readonly DomainEntry[];

export type DomainName = (typeof DOMAINS)[number]["name"];

/** The domains' names, in registry order. */
export const DOMAIN_NAMES: readonly DomainName[] = DOMAINS.map((domain) => domain.name);

export function isDomainName(name: string): name is DomainName {
  return (DOMAIN_NAMES as readonly string[]).includes(name);
}

/** The registry's entry of a domain; throws on a name that is not one. */
export function domainEntry(name: string): DomainEntry {
  const entry = DOMAINS.find((domain) => domain.name === name);
  if (!entry) throw new Error(`"${name}" is not a domain; one of ${DOMAIN_NAMES.join(", ")}.`);
  return entry;
}

/** Loads the modules of the named domains, checking that each says it is the domain it was registered as. */
export async function loadDomains(names: readonly string[]): Promise<AnyDomainModule[]> {
  return Promise.all(
    names.map(async (name) => {
      const module = await domainEntry(name).load();
      if (module.name !== name) throw new Error(`the module registered as "${name}" calls itself "${module.name}"`);
      return module;
    }),
  );
}

/** The environment variable prefix of a domain: `USERS` for users (USERS_SUBGRAPH_URL, USERS_PORT...). */
export function envPrefixOf(name: string): string {
  return name.toUpperCase().replace(/-/g, "_");
}
