import { DOMAIN_NAMES, domainEntry, loadDomains } from "@monograph/domains";
import { runSubgraphProcess, type RunningServer } from "@monograph/platform";
import { wireDomains } from "./domain-wiring.ts";
import { loadDomainProcessEnv, type SubgraphName } from "./env.ts";

/**
 * The composition root of one domain running alone (hybrid and distributed shapes), for any registered domain:
 * loads its module from the registry, wires it with the same loop as the gateway's (`wireDomains`), and serves it
 * with `runSubgraphProcess` (database, /health and /ready, signals). The ports it needs from domains elsewhere are
 * called at `<PROVIDER>_URL`, else at the provider's default port on 127.0.0.1; its events go through NATS JetStream.
 */
export async function runDomainProcess(name: string, env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const entry = domainEntry(name);
  const settings = loadDomainProcessEnv(env, `${name}-subgraph`);
  const [module] = await loadDomains([name]);
  let wired: Awaited<ReturnType<typeof wireDomains>> | undefined;
  return runSubgraphProcess({
    name,
    defaultPort: entry.defaultPort,
    env,
    build: async ({ db, config }) => {
      const domain = await wireDomains({
        modules: [module!],
        everyDomainHere: DOMAIN_NAMES.length === 1,
        db,
        settings: config,
        env,
        providerUrl: (provider) => settings.providerUrls[provider as SubgraphName] ?? `http://127.0.0.1:${domainEntry(provider).defaultPort}`,
      });
      wired = domain;
      return {
        subgraph: domain.subgraphs[0]!,
        seed: async () => Object.values(await domain.seed()).reduce((sum, rows) => sum + rows, 0),
        extraRoutes: domain.routes,
        readiness: domain.readiness,
        startBackground: async () => {
          await domain.start({ natsUrl: settings.natsUrl, prefix: settings.eventsPrefix, connectionName: `${name}-subgraph` });
          return () => domain.stop();
        },
      };
    },
  }).catch(async (error: unknown) => {
    await wired?.stop();
    throw error;
  });
}
