import { fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { envPrefixOf } from "@monograph/domains";
import { BUILT_NODE_FLAGS, REPO_ROOT, RUNNING_BUILT, SOURCE_NODE_FLAGS, type RunningServer } from "@monograph/platform";
import { DEFAULT_SUBGRAPH_PORT_OF, SUBGRAPH_NAMES, type GatewayConfig, type SubgraphName } from "./env.ts";
import { startMonograph } from "./monograph.ts";

/** What a subgraph process runs: node's flags, the module, its arguments. */
export interface DomainProcessEntry {
  execArgv: string[];
  file: string;
  args: string[];
}

/**
 * The one place that decides which file a subgraph process runs, with which node flags: the generic runner of one
 * domain (run-domain <name>). A launcher that runs from the build (`npm run start:distributed:prod`, the image)
 * forks the built runner with plain node, every @monograph/* package resolved to its dist/ (BUILT_NODE_FLAGS): no
 * tsx, no TypeScript in any process. A launcher that runs from the TypeScript sources (`npm run start:distributed`,
 * the tests) forks the sources through tsx.
 */
export function domainProcessEntry(name: SubgraphName, built: boolean = RUNNING_BUILT): DomainProcessEntry {
  const gateway = path.join(REPO_ROOT, "apps", "gateway");
  return built
    ? { execArgv: [...BUILT_NODE_FLAGS], file: path.join(gateway, "dist", "run-domain.js"), args: [name] }
    : { execArgv: [...SOURCE_NODE_FLAGS], file: path.join(gateway, "src", "run-domain.ts"), args: [name] };
}

/**
 * How long a subgraph process may take to listen: migrations on a fresh embedded database, and every process of a
 * shape starting at once through tsx, take minutes on a loaded 2-core machine (four at once have taken more than
 * 90 s, even built).
 */
const START_DEADLINE_MS = 240_000;

export const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = DEFAULT_SUBGRAPH_PORT_OF;

export interface StartSubgraphProcessOptions {
  name: SubgraphName;
  /** 0 lets the process pick a free port and report it. */
  port: number;
  env: NodeJS.ProcessEnv;
  /** How long it may take to listen before it is killed and the start fails. Default 90 s. */
  startupTimeoutMs?: number;
}

export interface SubgraphProcess {
  name: SubgraphName;
  url: string;
  child: ChildProcess;
  /** Asks the process to stop (SIGTERM: it finishes what it is doing), or kills it outright (SIGKILL: a crash). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

/** Starts one domain as a child process (the generic runner, domainProcessEntry) and resolves once it listens. */
export function startSubgraphProcess({ name, port, env, startupTimeoutMs = START_DEADLINE_MS }: StartSubgraphProcessOptions): Promise<SubgraphProcess> {
  const entry = domainProcessEntry(name);
  const child = fork(entry.file, entry.args, {
    cwd: REPO_ROOT,
    env: { ...env, PORT: String(port) },
    execArgv: entry.execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const stop = (signal: "SIGTERM" | "SIGKILL" = "SIGTERM") =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // The child gives itself 10 s to stop in order (stopOnSignals); past that, something is stuck.
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill(signal);
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} subgraph did not start within ${Math.round(startupTimeoutMs / 1000)} s`));
    }, startupTimeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} subgraph exited with code ${code} before it was ready`));
    });
    child.on("message", (message: { type?: string; url?: string }) => {
      if (message.type !== "listening" || !message.url) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve({ name, url: message.url, child, stop });
    });
  });
}

export interface StartDistributedOptions {
  config: GatewayConfig;
  /** Environment of every subgraph process (secrets, DATABASE_URL, NATS_URL). */
  env: NodeJS.ProcessEnv;
  /** Per-subgraph environment, e.g. each its own PGLITE_DATA_DIR. */
  envFor?: (name: SubgraphName) => NodeJS.ProcessEnv;
  /** Fixed ports (npm run start:distributed: <NAME>_PORT, SUBGRAPH_BASE_PORT, loadDistributedPorts) or 0 for free ones. */
  ports?: Record<SubgraphName, number>;
}

export interface RunningDistributed extends RunningServer {
  subgraphs: SubgraphProcess[];
}

/**
 * The distributed shape: every registered domain in its own process, the gateway calling each over HTTP. Every
 * port is known before any process starts (a free one for each port 0), so that all start at once and each knows
 * where the others listen (`<NAME>_URL`: orders reserves stock at inventory, inventory's sweeper asks orders).
 */
export async function startDistributed(options: StartDistributedOptions): Promise<RunningDistributed> {
  const requested = options.ports ?? DEFAULT_SUBGRAPH_PORTS;
  const ports = Object.fromEntries(await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, requested[name] || (await freePort())] as const))) as Record<SubgraphName, number>;
  const peers = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${envPrefixOf(name)}_URL`, `http://127.0.0.1:${ports[name]}`]));
  const started: SubgraphProcess[] = [];
  try {
    const results = await Promise.allSettled(
      SUBGRAPH_NAMES.map((name) => startSubgraphProcess({ name, port: ports[name], env: { ...options.env, ...options.envFor?.(name), ...peers } })),
    );
    for (const result of results) if (result.status === "fulfilled") started.push(result.value);
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;

    const remoteSubgraphs = Object.fromEntries(started.map((subgraph) => [subgraph.name, `${subgraph.url}/graphql`]));
    const gateway = await startMonograph({ config: { ...options.config, remoteSubgraphs } });
    return {
      ...gateway,
      subgraphs: started,
      stop: async () => {
        await gateway.stop();
        await Promise.all(started.map((subgraph) => subgraph.stop()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((subgraph) => subgraph.stop()));
    throw error;
  }
}

/** A TCP port nobody listens on right now, for a process that must be known to the others before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}
