// One process of the gateways workload (bench/gateways/main.ts forks one per setup, plus one for the subgraphs):
// `subgraphs` serves the four subgraphs over HTTP (sealed, as Monograph's subgraph processes are); the others
// are a gateway, or the plain schema, over HTTP. Sends { type: "ready", url, urls? } over IPC, then serves until
// the bench disconnects.
import { ApolloGateway, LocalGraphQLDataSource, RemoteGraphQLDataSource, type GraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { DEFAULT_OPERATION_LIMITS, startSubgraphServer, type RunningServer } from "@monograph/platform";
import { inProcessDataSource, signingFetcher, startGateway } from "@monograph/gateway-core";
import type { Setup, SetupMessage } from "./protocol.ts";
import { plainSchema, subgraphSchemas, SUBGRAPH_NAMES, supergraphSdl, type SubgraphName } from "./workload.ts";

const INTERNAL_SECRET = "gateways-bench-internal-secret-0123456789";
const JWT_SECRET = "gateways-bench-jwt-secret-0123456789abcdef";
// No stock gateway of the bench reaches Apollo's telemetry or cloud metadata hosts (STACK-NOTES.md).
process.env.APOLLO_TELEMETRY_DISABLED = "true";

const role = process.argv[2] as Setup | "subgraphs";
const subgraphUrls = process.argv[3] ? (JSON.parse(process.argv[3]) as Record<SubgraphName, string>) : undefined;
const servers: { stop(): Promise<void> }[] = [];

async function standalone(apollo: ApolloServer): Promise<string> {
  const { url } = await startStandaloneServer(apollo, { listen: { port: 0, host: "127.0.0.1" } });
  servers.push(apollo);
  return url;
}

function stock(buildService: (name: SubgraphName) => GraphQLDataSource): Promise<string> {
  const gateway = new ApolloGateway({ supergraphSdl: supergraphSdl(), buildService: ({ name }) => buildService(name as SubgraphName) });
  return standalone(new ApolloServer({ gateway, plugins: [ApolloServerPluginLandingPageDisabled()], stopOnTerminationSignals: false }));
}

async function start(): Promise<Extract<SetupMessage, { type: "ready" }>> {
  // The workload's query is deeper and costlier than Monograph's default limits allow; the limits still run.
  const limits = { ...DEFAULT_OPERATION_LIMITS, maxDepth: 16, maxCost: 1_000_000 };
  const ours = { supergraphSdl: supergraphSdl(), jwtSecret: JWT_SECRET, internalSecret: INTERNAL_SECRET, port: 0, host: "127.0.0.1", metrics: false, limits };
  const remote = () => {
    if (!subgraphUrls) throw new Error(`${role} needs the subgraphs' URLs`);
    return subgraphUrls;
  };
  switch (role) {
    case "subgraphs": {
      const schemas = subgraphSchemas();
      // Counts the subgraph fetches one query makes: each fetch of this workload's plan selects one root field
      // (users, topProducts or _entities), so root fields resolved = fetches served.
      let fetches = 0;
      for (const schema of Object.values(schemas)) {
        const query = schema.getQueryType()!;
        for (const field of Object.values(query.getFields())) {
          const resolve = field.resolve;
          if (resolve) field.resolve = (...resolverArgs) => ((fetches += 1), resolve(...resolverArgs));
        }
      }
      process.on("message", (message: { type: string }) => {
        if (message.type === "fetches") process.send?.({ type: "fetches", fetches });
      });
      const urls = {} as Record<SubgraphName, string>;
      for (const name of SUBGRAPH_NAMES) {
        const server: RunningServer = await startSubgraphServer({ subgraph: { name, schema: schemas[name], createContext: (caller) => ({ caller }) }, internalSecret: INTERNAL_SECRET, port: 0, host: "127.0.0.1", metrics: false });
        servers.push(server);
        urls[name] = server.graphqlUrl;
      }
      return { type: "ready", url: urls.accounts, urls };
    }
    case "stock-http": {
      const urls = remote();
      // Stock RemoteGraphQLDataSource; each fetch is signed only because Monograph's subgraph servers are sealed.
      const fetcher = signingFetcher(INTERNAL_SECRET, fetch as unknown as RemoteGraphQLDataSource["fetcher"]);
      return { type: "ready", url: await stock((name) => new RemoteGraphQLDataSource({ url: urls[name], fetcher })) };
    }
    case "stock-in-process": {
      const schemas = subgraphSchemas();
      return { type: "ready", url: await stock((name) => new LocalGraphQLDataSource(schemas[name])) };
    }
    case "ours-in-process": {
      const schemas = subgraphSchemas();
      // graphql-js only, without the default graphql-jit.
      const server = await startGateway({ ...ours, subgraphs: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, { kind: "in-process", schema: schemas[name] }])), inProcessDataSource });
      servers.push(server);
      return { type: "ready", url: server.graphqlUrl };
    }
    case "ours-in-process-stock-executor":
    case "ours-in-process-jit": {
      const schemas = subgraphSchemas();
      const server = await startGateway({
        ...ours,
        // The default is Monograph's executor of query plans; the other setup measures what it buys.
        executor: role === "ours-in-process-stock-executor" ? "apollo" : "monograph",
        // startGateway's default data source: graphql-jit, graphql-js for what it does not compile.
        subgraphs: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, { kind: "in-process", schema: schemas[name] }])),
      });
      servers.push(server);
      return { type: "ready", url: server.graphqlUrl };
    }
    case "ours-http": {
      const urls = remote();
      const server = await startGateway({ ...ours, subgraphs: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, { kind: "remote", url: urls[name] }])) });
      servers.push(server);
      return { type: "ready", url: server.graphqlUrl };
    }
    case "plain":
      return { type: "ready", url: await standalone(new ApolloServer({ schema: plainSchema(), plugins: [ApolloServerPluginLandingPageDisabled()], stopOnTerminationSignals: false })) };
  }
  throw new Error(`Unknown setup "${String(role)}"`);
}

const stop = async () => {
  await Promise.allSettled(servers.reverse().map((server) => server.stop()));
  process.exit(0);
};
process.on("disconnect", () => void stop());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop());

try {
  process.send?.(await start());
} catch (error) {
  process.send?.({ type: "failed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies SetupMessage);
  process.exitCode = 1;
  process.disconnect?.();
}
