import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PrismaClient } from "@monograph/db";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import { DEFAULT_NATS_URL, NatsJetStreamTransport } from "@monograph/events";
import { envPrefixOf, loadDomains } from "@monograph/domains";
import { startSubgraphProcess, type SubgraphProcess } from "../../src/distributed.ts";
import { loadGatewayConfig, SUBGRAPH_NAMES, type SubgraphName } from "../../src/env.ts";
import { startMonograph, type MonographOptions, type RunningMonograph } from "../../src/monograph.ts";
import { freePort } from "./ports.ts";
import { remoteSubgraphsOf, type Shape } from "./shape-domains.ts";

export type { Shape } from "./shape-domains.ts";

/**
 * The suites sign in and sign up hundreds of times, all from 127.0.0.1: the sign-in throttle would refuse them as the
 * burst it is. Its own tests set its limits (THROTTLE_DEFAULTS, or tighter).
 */
export const E2E_THROTTLE = { SIGN_IN_ADDRESS_LIMIT: "100000/1m", SIGN_IN_ACCOUNT_LIMIT: "100000/1m", SIGN_UP_ADDRESS_LIMIT: "100000/1m" };

export const TEST_SECRETS = {
  JWT_SECRET: "e2e-jwt-secret-0123456789abcdef-jwt",
  INTERNAL_SECRET: "e2e-internal-secret-0123456789abcdef",
};

/** Every registered domain's demo data into an open database, as each domain's own seed loads it. */
export async function seedEveryDomain(db: PrismaClient): Promise<void> {
  for (const module of await loadDomains(SUBGRAPH_NAMES)) await module.seed?.(db);
}

export interface RunningShape {
  shape: Shape;
  graphqlUrl: string;
  url: string;
  gateway: RunningMonograph;
  /** Subgraph processes of this shape, by name. */
  processes: Map<SubgraphName, SubgraphProcess>;
  /**
   * Starts a subgraph process again, after it stopped or crashed: same port, same database, same settings, plus
   * `env` for this run only (a fault test's switch, say).
   */
  restart(name: SubgraphName, env?: NodeJS.ProcessEnv): Promise<SubgraphProcess>;
  stop(): Promise<void>;
}

/**
 * Starts the whole API in a shape, on the database kind of this test run (PostgreSQL when DATABASE_URL is set,
 * otherwise PGlite), seeded with the demo data. Subgraph processes are real child processes on free ports.
 */
export async function startShape(shape: Shape, extraEnv: NodeJS.ProcessEnv = {}, gatewayOptions: Pick<MonographOptions, "inProcessDataSource"> = {}): Promise<RunningShape> {
  const remote = remoteSubgraphsOf(shape);
  if (!remote) throw new Error(`Unknown shape "${shape}".`);
  const cleanups: (() => Promise<void>)[] = [];
  const processes = new Map<SubgraphName, SubgraphProcess>();
  const postgres = testDatabaseKind() === "postgres";
  // No gateway of the tests reaches Apollo's telemetry or cloud metadata hosts (STACK-NOTES.md).
  process.env.APOLLO_TELEMETRY_DISABLED ??= "true";
  try {
    // On PostgreSQL every process shares one fresh database (each domain in its own schema); on PGlite the
    // gateway's database is in memory and each subgraph process gets a folder of its own.
    // In production nothing seeds itself (issue 8): the test loads the demo data into the database first, as on
    // PostgreSQL, so the gateway's embedded database is then a folder rather than memory.
    const production = extraEnv.NODE_ENV === "production";
    let shared: TestDatabase | undefined;
    if (postgres || remote.length < SUBGRAPH_NAMES.length) {
      shared = await createTestDatabase({ inMemory: !postgres && !production });
      cleanups.push(() => shared!.drop());
    }
    if ((postgres || production) && shared) {
      const handle = await shared.open();
      await seedEveryDomain(handle.prisma);
      await handle.close();
    }

    // Each shape's processes share one JetStream namespace of their own, deleted with the shape.
    const events = { EVENTS_PREFIX: `e2e_${randomBytes(5).toString("hex")}`, NATS_URL: extraEnv.NATS_URL ?? process.env.NATS_URL ?? DEFAULT_NATS_URL };
    if (remote.length > 0) cleanups.push(() => NatsJetStreamTransport.deleteStream({ servers: events.NATS_URL, prefix: events.EVENTS_PREFIX }));
    const baseEnv: NodeJS.ProcessEnv = { ...process.env, ...TEST_SECRETS, ...events, NODE_ENV: "test", ...E2E_THROTTLE, ...extraEnv };
    const envFor = (name: SubgraphName): NodeJS.ProcessEnv => {
      if (postgres && shared?.target.kind === "postgres") return { ...baseEnv, DATABASE_URL: shared.target.url };
      const dataDir = mkdtempSync(path.join(tmpdir(), `monograph-${name}-`));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      const { DATABASE_URL: _ignored, ...env } = baseEnv;
      // A subgraph process seeds nothing unless asked to outside development: its own embedded database needs it.
      return { ...env, PGLITE_DATA_DIR: dataDir, SEED_DEMO_DATA: "true" };
    };

    // Every process's port is chosen first, so that they can all start at once, each knowing where the others
    // will listen (<NAME>_URL, for the ports one domain needs from another): a domain's own process, or the gateway
    // when it stays there (orders reserves stock at inventory, inventory's sweeper asks orders).
    const gatewayPort = remote.length > 0 && remote.length < SUBGRAPH_NAMES.length ? await freePort() : 0;
    const ports = new Map<SubgraphName, number>();
    for (const name of remote) ports.set(name, await freePort());
    const local = (port: number | undefined) => `http://127.0.0.1:${port || gatewayPort}`;
    const envs = new Map<SubgraphName, NodeJS.ProcessEnv>();
    for (const name of remote) {
      const env = { ...envFor(name) };
      for (const other of SUBGRAPH_NAMES) if (other !== name) env[`${envPrefixOf(other)}_URL`] = local(ports.get(other));
      envs.set(name, env);
    }
    const started = await Promise.allSettled(remote.map((name) => startSubgraphProcess({ name, port: ports.get(name)!, env: envs.get(name)! })));
    for (const result of started) {
      if (result.status !== "fulfilled") continue;
      processes.set(result.value.name, result.value);
      cleanups.push(() => processes.get(result.value.name)!.stop());
    }
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const restart = async (name: SubgraphName, env: NodeJS.ProcessEnv = {}) => {
      const previous = processes.get(name);
      if (!previous) throw new Error(`${name} does not run in a process of its own in the ${shape} shape.`);
      await previous.stop();
      const port = Number(new URL(previous.url).port);
      const child = await startSubgraphProcess({ name, port, env: { ...envs.get(name)!, ...env } });
      processes.set(name, child);
      return child;
    };

    const config = loadGatewayConfig({
      ...TEST_SECRETS,
      ...events,
      NODE_ENV: "test",
      ...E2E_THROTTLE,
      PORT: String(gatewayPort),
      ...Object.fromEntries([...processes].map(([name, child]) => [`${envPrefixOf(name)}_SUBGRAPH_URL`, `${child.url}/graphql`])),
      ...extraEnv,
    });
    const gateway = await startMonograph({ config, database: shared?.target, seed: !postgres && !production, ...gatewayOptions });
    cleanups.push(() => gateway.stop());
    return {
      shape,
      gateway,
      url: gateway.url,
      graphqlUrl: gateway.graphqlUrl,
      processes,
      restart,
      stop: async () => {
        for (const cleanup of cleanups.reverse()) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}
