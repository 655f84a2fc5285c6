import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { BUILT_NODE_FLAGS, REPO_ROOT, RUNNING_BUILT, SOURCE_NODE_FLAGS, type RunningServer } from "@monograph/platform";
import { DEFAULT_SUBGRAPH_PORT_OF, SUBGRAPH_NAMES, type GatewayConfig, type SubgraphName } from "./env.ts";
import { startMonograph } from "./monograph.ts";

export const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = DEFAULT_SUBGRAPH_PORT_OF;

export interface StartSubgraphProcessOptions {
  name: SubgraphName;
  /** 0 lets the process pick a free port and report it. */
  port: number;
  env: NodeJS.ProcessEnv;
}

export interface SubgraphProcess {
  name: SubgraphName;
  url: string;
  child: ChildProcess;
  /** Asks the process to stop (SIGTERM: it finishes what it is doing), or kills it outright (SIGKILL: a crash). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

/** What a subgraph process runs: node's flags, the module, its arguments. */
export interface SubgraphEntryPoint {
  execArgv: string[];
  modulePath: string;
  args: string[];
}

/**
 * The one place that decides which file a subgraph process runs, with which node flags. A launcher that runs from
 * the build (`npm run start:distributed:prod`, the image) forks the subgraph's built main with plain node, every
 * @monograph/* package resolved to its dist/ (BUILT_NODE_FLAGS): no tsx, no TypeScript in any process. A launcher
 * that runs from the TypeScript sources (`npm run start:distributed`, the tests) forks the sources through tsx.
 */
export function subgraphEntryPoint(name: SubgraphName, built: boolean = RUNNING_BUILT): SubgraphEntryPoint {
  const app = path.join(REPO_ROOT, "apps", `${name}-subgraph`);
  return built
    ? { execArgv: [...BUILT_NODE_FLAGS], modulePath: path.join(app, "dist", "main.js"), args: [] }
    : { execArgv: [...SOURCE_NODE_FLAGS], modulePath: path.join(app, "src", "main.ts"), args: [] };
}

/** Starts one subgraph's main as a child process and resolves once it listens. */
export function startSubgraphProcess({ name, port, env }: StartSubgraphProcessOptions): Promise<SubgraphProcess> {
  const entry = subgraphEntryPoint(name);
  const child = fork(entry.modulePath, entry.args, {
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
    // Opening and migrating an embedded database is most of a start-up; on a loaded 2-core machine four of them
    // in parallel have taken more than 90 s, even built.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} subgraph did not start within 180 s`));
    }, 180_000);
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
 * The distributed shape: every subgraph in its own process, the gateway calling each over HTTP. Subgraphs start
 * in parallel; orders learns where inventory listens (it reserves stock over HTTP).
 */
export async function startDistributed(options: StartDistributedOptions): Promise<RunningDistributed> {
  const ports = options.ports ?? DEFAULT_SUBGRAPH_PORTS;
  const started: SubgraphProcess[] = [];
  const envOf = (name: SubgraphName, extra: NodeJS.ProcessEnv = {}) => ({ ...options.env, ...options.envFor?.(name), ...extra });
  try {
    // Inventory first: orders needs its URL.
    // Inventory's sweeper asks orders about unconfirmed holds: at its fixed port, when there is one.
    const ordersUrl = ports.orders ? { ORDERS_URL: `http://127.0.0.1:${ports.orders}` } : {};
    const inventory = await startSubgraphProcess({ name: "inventory", port: ports.inventory, env: envOf("inventory", ordersUrl) });
    started.push(inventory);
    const others = await Promise.allSettled(
      SUBGRAPH_NAMES.filter((name) => name !== "inventory").map((name) =>
        startSubgraphProcess({ name, port: ports[name], env: envOf(name, { INVENTORY_URL: inventory.url }) }),
      ),
    );
    for (const result of others) if (result.status === "fulfilled") started.push(result.value);
    const failed = others.find((result) => result.status === "rejected");
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
