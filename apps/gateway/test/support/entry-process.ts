import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import { DEFAULT_NATS_URL, NatsJetStreamTransport } from "@monograph/events";
import { REPO_ROOT } from "@monograph/platform";
import { waitFor } from "./flow.ts";
import { seedEveryDomain, TEST_SECRETS } from "./shapes.ts";

/**
 * How long a beforeAll that starts a shape from its entry point (a process per subgraph, each compiling TypeScript,
 * migrating and seeding) and runs the main flow may take on a busy 2-core machine.
 */
export const SHAPE_STARTUP_MS = 300_000;

export const STRACE = ["/usr/bin/strace", "/usr/local/bin/strace"].find((candidate) => existsSync(candidate));

const ENTRY_POINTS = {
  monolith: "apps/gateway/src/main.ts",
  distributed: "apps/gateway/src/distributed-main.ts",
} as const;
export type EntryShape = keyof typeof ENTRY_POINTS;

/** The root package.json scripts that run a shape on the production build (plain node on dist/, no tsx). */
export const BUILT_SCRIPTS: Record<EntryShape, string> = { monolith: "start:prod", distributed: "start:distributed:prod" };

export interface EntryProcess {
  graphqlUrl: string;
  url: string;
  /** Everything every process of the shape wrote to stdout and stderr so far. */
  output(): string;
  /** The JSON log lines of `output()`. */
  logLines(): Record<string, unknown>[];
  /** Base URLs of the subgraph processes, by name (distributed shape). */
  subgraphUrls(): Promise<Record<string, string>>;
  /** Addresses connected to (or sent to), from strace; empty without strace. */
  connections(): string[];
  /** How many sockets the shape's processes opened, from strace (proof that it traced them). */
  socketsOpened(): number;
  stop(): Promise<void>;
}

export interface StartEntryOptions {
  /** Run under `strace -f` and record every connect/sendto/sendmsg address. */
  strace?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Run the production build (`npm run start:prod` / `start:distributed:prod`, after `npm run build`), not tsx. */
  built?: boolean;
  /** How long the gateway may take to listen (default: SHAPE_STARTUP_MS less a minute for the rest of a beforeAll). */
  listenWithinMs?: number;
}

/**
 * Starts a shape the way an operator does: the gateway's entry point (`npm start` or `npm run start:distributed`)
 * as a child process, with JSON logs on stdout, on free ports, with a database of its own (PostgreSQL when this
 * test run uses it, else embedded PGlite in a temporary folder) and a JetStream namespace of its own.
 */
export async function startEntry(shape: EntryShape, options: StartEntryOptions = {}): Promise<EntryProcess> {
  const cleanups: (() => Promise<void>)[] = [];
  const scratch = mkdtempSync(path.join(tmpdir(), `monograph-entry-${shape}-`));
  cleanups.push(async () => rmSync(scratch, { recursive: true, force: true }));
  try {
    const env: NodeJS.ProcessEnv = {
      ...withoutApolloSwitch(process.env),
      ...TEST_SECRETS,
      NODE_ENV: "test",
      LOG_FORMAT: "json",
      PORT: "0",
      EVENTS_PREFIX: `entry_${randomBytes(5).toString("hex")}`,
      NATS_URL: process.env.NATS_URL ?? DEFAULT_NATS_URL,
      ...options.env,
    };
    if (shape === "distributed") {
      cleanups.push(() => NatsJetStreamTransport.deleteStream({ servers: env.NATS_URL!, prefix: env.EVENTS_PREFIX }));
    }
    if (testDatabaseKind() === "postgres") {
      const database: TestDatabase = await createTestDatabase();
      cleanups.push(() => database.drop());
      const handle = await database.open();
      await seedEveryDomain(handle.prisma);
      await handle.close();
      env.DATABASE_URL = (database.target as { url: string }).url;
    } else {
      delete env.DATABASE_URL;
      env.PGLITE_DATA_DIR = path.join(scratch, "pglite");
      // Outside development nothing seeds itself: each embedded database (the gateway's, each subgraph process's)
      // is asked to load the demo data the main flow signs in with.
      env.SEED_DEMO_DATA = "true";
    }

    const straceLog = path.join(scratch, "strace.log");
    const node = entryCommand(shape, options.built);
    const [command, ...args] = options.strace
      ? [STRACE!, "-f", "-qq", "-e", "trace=socket,connect,sendto,sendmsg", "-o", straceLog, ...node]
      : node;
    const child: ChildProcess = spawn(command!, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let straceText = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // Stop the gateway itself (its pid is in its log lines), as a signal from an operator would; strace, if
        // any, ends with it. SIGKILL only if it overstays.
        const pid = gatewayPid(output);
        if (pid) process.kill(pid, "SIGTERM");
        else child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(killer);
      }
      if (options.strace && existsSync(straceLog)) straceText = readFileSync(straceLog, "utf8");
    });

    const started = await waitFor(
      `the ${shape} gateway to listen`,
      async () => {
        if (child.exitCode !== null) throw new Error(`the ${shape} entry point exited with ${child.exitCode}:\n${output}`);
        return parseLines(output).find((line) => line.component === "gateway" && typeof line.url === "string" && line.shape === shape);
      },
      options.listenWithinMs ?? SHAPE_STARTUP_MS - 60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
    const graphqlUrl = started.url as string;
    let stopping: Promise<void> | undefined;
    return {
      graphqlUrl,
      url: graphqlUrl.replace(/\/graphql$/, ""),
      output: () => output,
      logLines: () => parseLines(output),
      subgraphUrls: async () =>
        (await waitFor("the subgraph processes' URLs", async () => parseLines(output).find((line) => line.component === "gateway" && line.subgraphs))).subgraphs as Record<string, string>,
      connections: () => connectedAddresses(straceText),
      socketsOpened: () => straceText.split("\n").filter((line) => /^\d+ +socket\(/.test(line)).length,
      stop: () => {
        stopping ??= (async () => {
          for (const cleanup of cleanups.reverse()) await cleanup();
        })();
        return stopping;
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}

/** The command line that runs a shape's entry point, as `npm start` does: the one place that names it. */
/** The command that starts a shape's entry point: its production script on the build, else its source through tsx. */
export function entryCommand(shape: EntryShape, built = false): string[] {
  return built ? ["npm", "run", "--silent", BUILT_SCRIPTS[shape]] : [process.execPath, "--import", "tsx", ENTRY_POINTS[shape]];
}

export interface GatewayProcess {
  url: string;
  graphqlUrl: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts one gateway process from its entry point (`npm start`) on `port`, with exactly `env` (plus JSON logs),
 * and resolves once it listens: for shapes a test assembles itself (several gateways behind a load balancer).
 * Its database, subgraph URLs and secrets are the caller's business.
 */
export async function startGatewayProcess({ port, env }: { port: number; env: NodeJS.ProcessEnv }): Promise<GatewayProcess> {
  const [command, ...args] = entryCommand("monolith");
  const child = spawn(command!, args, { cwd: REPO_ROOT, env: { ...env, LOG_FORMAT: "json", PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    const started = await waitFor(
      `the gateway on port ${port} to listen`,
      async () => {
        if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
        return parseLines(output).find((line) => line.component === "gateway" && typeof line.url === "string");
      },
      SHAPE_STARTUP_MS - 60_000,
    );
    const graphqlUrl = started.url as string;
    return { url: graphqlUrl.replace(/\/graphql$/, ""), graphqlUrl, child, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
}

function withoutApolloSwitch(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // The gateway must turn Apollo's telemetry off by itself: the test does not do it for it.
  const { APOLLO_TELEMETRY_DISABLED: _ignored, ...rest } = env;
  return rest;
}

export function parseLines(output: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line cut in the middle of a write: the rest comes later.
    }
  }
  return lines;
}

function gatewayPid(output: string): number | undefined {
  const line = parseLines(output).find((entry) => entry.component === "gateway" && typeof entry.url === "string");
  return typeof line?.pid === "number" ? line.pid : undefined;
}

/** `host:port` (or a unix path) of every address in strace's connect/sendto/sendmsg lines. */
export function connectedAddresses(strace: string): string[] {
  const addresses: string[] = [];
  for (const line of strace.split("\n")) {
    const v4 = /sin_port=htons\((\d+)\), sin_addr=inet_addr\("([\d.]+)"\)/.exec(line);
    if (v4) addresses.push(`${v4[2]}:${v4[1]}`);
    const v6 = /sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]+)"/.exec(line);
    if (v6) addresses.push(`[${v6[2]}]:${v6[1]}`);
  }
  return addresses;
}

/** Loopback: 127.0.0.0/8, ::1, and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  const host = address.startsWith("[") ? address.slice(1, address.lastIndexOf("]")) : address.slice(0, address.lastIndexOf(":"));
  return /^127\./.test(host) || host === "::1" || /^::ffff:127\./i.test(host);
}
