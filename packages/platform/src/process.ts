import { z } from "zod";
import type { DatabaseHandle } from "@monograph/db";
import { databaseTargetFrom, describeTarget } from "@monograph/db/target";
import { childLogger, logger, setServiceName, startMetricsServer, startTracing, stopTracing } from "@monograph/telemetry";
import { loadConfig, refuseDevSecretsInProduction, sharedEnvSchema, shouldSeedDemoData } from "./config.ts";
import { edgeSettingsFrom } from "./edge-config.ts";
import type { RunningServer } from "./http.ts";
import { fromRepoRoot } from "./paths.ts";
import { startSubgraphServer, type StartSubgraphServerOptions, type SubgraphModule } from "./subgraph.ts";

export const subgraphProcessEnvSchema = sharedEnvSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
});
export type SubgraphProcessConfig = z.infer<typeof subgraphProcessEnvSchema>;

export interface SubgraphProcessParts {
  subgraph: SubgraphModule;
  /** Loads the domain's demo data into its empty tables, in development only; returns how many rows it added. */
  seed?: () => Promise<number>;
  extraRoutes?: StartSubgraphServerOptions["extraRoutes"];
  readiness?: StartSubgraphServerOptions["readiness"];
  /** Starts background work (event relays, subscriptions) once the server listens; returns how to stop it. */
  startBackground?: () => Promise<() => Promise<void>>;
}

export interface RunSubgraphProcessOptions {
  name: string;
  defaultPort: number;
  build: (deps: { db: DatabaseHandle; config: SubgraphProcessConfig }) => Promise<SubgraphProcessParts> | SubgraphProcessParts;
  env?: NodeJS.ProcessEnv;
}

/**
 * The composition root of one subgraph running alone (hybrid and distributed shapes): reads the configuration,
 * opens and migrates the database, builds the subgraph, serves it, and stops cleanly on SIGINT/SIGTERM.
 */
export async function runSubgraphProcess(options: RunSubgraphProcessOptions): Promise<RunningServer> {
  setServiceName(options.name);
  await startTracing(options.name, options.env);
  const config = loadConfig(subgraphProcessEnvSchema.superRefine(refuseDevSecretsInProduction), options.env, `${options.name}-subgraph`);
  // Alone, an embedded database gets a folder of its own: PGlite serves one process only.
  const target = databaseTargetFrom(config.DATABASE_URL, fromRepoRoot(config.PGLITE_DATA_DIR ?? `.data/${options.name}`), config.DATABASE_ROLE_PASSWORD_DIR);
  // Loaded here rather than at the top: every process imports this module (stopOnSignals), and only a subgraph's
  // needs the database layer (Prisma, the drivers).
  const { openDatabase } = await import("@monograph/db");
  const db = await openDatabase({ target });
  const parts = await options.build({ db, config });
  // Demo data depends on the environment, never on the database: development seeds empty tables on PGlite and
  // PostgreSQL alike; tests ask for it (SEED_DEMO_DATA=true); production never.
  if (shouldSeedDemoData(config) && parts.seed) {
    const rows = await parts.seed();
    if (rows > 0) childLogger(`${options.name}-subgraph`).info({ rows }, "seeded demo data into empty tables");
  }

  // METRICS_PORT: /metrics on a port of its own (which need not be public) rather than the service's.
  const metricsServer = config.METRICS_PORT === undefined ? undefined : await startMetricsServer(config.METRICS_PORT, config.HOST);
  // Background work starts only once the server listens, but stopping the server must stop it too.
  const background: { stop?: () => Promise<void> } = {};
  const edge = edgeSettingsFrom(config);
  const server = await startSubgraphServer({
    subgraph: parts.subgraph,
    internalSecret: config.INTERNAL_SECRET,
    port: config.PORT ?? options.defaultPort,
    host: config.HOST,
    extraRoutes: parts.extraRoutes,
    readiness: { database: db.ping, ...parts.readiness },
    limits: edge.limits,
    edge: edge.http,
    fieldSuggestions: config.NODE_ENV !== "production",
    metrics: metricsServer === undefined,
    onStop: async () => {
      await background.stop?.();
      await metricsServer?.stop();
      await db.close();
    },
  });
  background.stop = await parts.startBackground?.();
  childLogger(options.name).info({ url: server.graphqlUrl, database: describeTarget(target) }, `serving ${server.graphqlUrl} on ${describeTarget(target)}`);
  // A launcher that started this process with an IPC channel (start:distributed, the tests) learns the real URL,
  // which matters with PORT=0.
  process.send?.({ type: "listening", name: options.name, url: server.url });
  stopOnSignals(server);
  return server;
}

/**
 * Stops the server, then exits, on SIGINT or SIGTERM. A repeated signal while stopping is ignored: Ctrl-C reaches
 * every process of the terminal's group, and a launcher (tsx, npm, start:distributed) may pass the same signal on,
 * so one stop request often arrives twice, and dying on the second would orphan child processes. A stop that takes
 * longer than `graceMs` exits with 1.
 */
export function stopOnSignals(server: { stop(): Promise<void> }, graceMs = 10_000): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A dependency that stops answering (a frozen NATS, a database gone away) must not keep the process alive.
    setTimeout(() => {
      logger.error(`did not stop within ${graceMs / 1000} s; exiting anyway`);
      process.exit(1);
    }, graceMs).unref();
    server.stop().then(
      // Spans still buffered are exported before the process goes.
      () => stopTracing().then(() => process.exit(0)),
      (error: unknown) => {
        logger.error({ err: error }, "could not stop cleanly");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // Started by a launcher over IPC (start:distributed, the tests): when the launcher is gone, so is the reason to run.
  if (process.connected) process.once("disconnect", stop);
}
