import { databaseTargetFrom, describeTarget, openDatabase, type DatabaseHandle, type DatabaseTarget } from "@monograph/db";
import { createInventorySubgraph, seedInventory } from "@monograph/inventory-subgraph";
import { fromRepoRoot, type RunningServer, type SubgraphModule } from "@monograph/platform";
import { readCommittedSupergraph } from "@monograph/schema";
import { createUsersSubgraph, seedUsers } from "@monograph/users-subgraph";
import { SUBGRAPH_NAMES, type GatewayConfig, type SubgraphName } from "./env.ts";
import { startGateway, type SubgraphLocation } from "./gateway.ts";

export interface MonographOptions {
  config: GatewayConfig;
  /** Overrides the database chosen by the configuration (tests pass a fresh one). */
  database?: DatabaseTarget;
  /** Load demo data into empty tables. Default: only on the embedded database. */
  seed?: boolean;
  /** Overrides the committed supergraph. */
  supergraphSdl?: string;
  /** Sees every SQL statement (tests and benchmarks count them). */
  onQuery?: (sql: string) => void;
}

export interface RunningMonograph extends RunningServer {
  /** Subgraphs served in this process; the others are remote. */
  inProcess: SubgraphName[];
  /** This process's database, when any subgraph runs in it. */
  db?: DatabaseHandle;
}

/**
 * The composition root of the monolith: the one place that sees every domain's concrete implementation and wires
 * them. Every subgraph runs in this process unless its <NAME>_SUBGRAPH_URL is set (hybrid); with all four set, this
 * is the distributed shape's gateway, and it opens no database at all.
 */
export async function startMonograph(options: MonographOptions): Promise<RunningMonograph> {
  const { config } = options;
  const inProcess = SUBGRAPH_NAMES.filter((name) => !config.remoteSubgraphs[name]);
  const target = options.database ?? databaseTargetFrom(config.env.DATABASE_URL, fromRepoRoot(config.env.PGLITE_DATA_DIR ?? ".data/pglite"));

  const db = inProcess.length > 0 ? await openDatabase({ target, onQuery: options.onQuery }) : undefined;
  try {
    const locations: Record<string, SubgraphLocation> = {};
    for (const [name, url] of Object.entries(config.remoteSubgraphs)) locations[name] = { kind: "remote", url };

    if (db) {
      const modules = buildDomainModules(db, config, inProcess);
      if (options.seed ?? target.kind === "pglite") await seedDemoData(db, inProcess);
      for (const module of modules) {
        locations[module.name] = { kind: "in-process", schema: module.schema, createContext: (context) => module.createContext(context.caller) };
      }
    }

    const server = await startGateway({
      supergraphSdl: options.supergraphSdl ?? readCommittedSupergraph(),
      subgraphs: locations,
      jwtSecret: config.env.JWT_SECRET,
      internalSecret: config.env.INTERNAL_SECRET,
      port: config.port,
      host: config.host,
      introspection: config.introspection,
      readiness: db ? { database: db.ping } : {},
      onStop: async () => {
        await db?.close();
      },
    });
    const shape = inProcess.length === SUBGRAPH_NAMES.length ? "monolith" : inProcess.length === 0 ? "distributed" : "hybrid";
    console.log(
      `[gateway] ${shape}: ${server.graphqlUrl}` +
        (db ? ` on ${describeTarget(target)}; in process: ${inProcess.join(", ")}` : "") +
        (Object.keys(config.remoteSubgraphs).length ? `; remote: ${Object.keys(config.remoteSubgraphs).join(", ")}` : ""),
    );
    return { ...server, inProcess, db };
  } catch (error) {
    await db?.close();
    throw error;
  }
}

function buildDomainModules(db: DatabaseHandle, config: GatewayConfig, names: SubgraphName[]): SubgraphModule[] {
  const factories: Record<SubgraphName, (() => SubgraphModule) | undefined> = {
    users: () => createUsersSubgraph({ db: db.prisma, jwtSecret: config.env.JWT_SECRET }),
    inventory: () => createInventorySubgraph({ db: db.prisma }),
    orders: undefined,
    billing: undefined,
  };
  return names.flatMap((name) => {
    const factory = factories[name];
    return factory ? [factory()] : [];
  });
}

async function seedDemoData(db: DatabaseHandle, names: SubgraphName[]): Promise<void> {
  if (names.includes("users")) await seedUsers(db.prisma);
  if (names.includes("inventory")) await seedInventory(db.prisma);
}
