import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { REPO_ROOT, type RunningServer } from "@monograph/platform";
import { DEFAULT_SUBGRAPH_PORT_OF, SUBGRAPH_NAMES, type GatewayConfig, type SubgraphName } from "./env.ts";
import { startMonograph } from "./monograph.ts";

const require = createRequire(import.meta.url);

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

/** Starts one subgraph's main.ts as a child process and resolves once it listens. */
export function startSubgraphProcess({ name, port, env, startupTimeoutMs = 90_000 }: StartSubgraphProcessOptions): Promise<SubgraphProcess> {
  const main = require.resolve(`@monograph/${name}-subgraph/main`);
  const child = fork(main, [], {
    cwd: REPO_ROOT,
    env: { ...env, PORT: String(port) },
    execArgv: ["--import", "tsx"],
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
