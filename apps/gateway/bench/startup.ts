// Start-up time and memory of each process of a shape, on the TypeScript sources through tsx (what `npm start` and
// `npm run start:distributed` run) and on the production build with plain node (`npm run start:prod`,
// `start:distributed:prod`, the image). For each shape and variant: a cold start (an empty embedded database per
// process: migrations and demo data included) and a warm one (the same databases again), each to every process's
// /ready; then each process's RSS at ready and after 100 queries. See docs/benchmarks.md, "Start-up and memory".
// With DATABASE_URL set, every process uses PostgreSQL instead: a fresh database per variant (already migrated: a
// copy of the test template), demo data loaded by the cold start.
//
//   npx tsx apps/gateway/bench/startup.ts [--shape monolith|distributed|both] [--variant source|built|both] [--runs n]
//     [--node-env development|production] [--env NAME=value ...]
//
// --node-env production runs every process as a deployment does (explorer and introspection off by default, secrets
// required: the bench passes its own); the ad-hoc query it sends needs OPERATIONS=open there, which it sets. --env
// adds or overrides a variable of every process (USAGE_REPORTING=off, NODE_OPTIONS=..., MALLOC_ARENA_MAX=2).
//
// Needs `npm run build` first (the built variant), and NATS for the distributed shape (NATS_URL, default loopback).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { DOMAIN_NAMES } from "@monograph/domains";
import { DEFAULT_NATS_URL, NatsJetStreamTransport } from "@monograph/events";
import { REPO_ROOT, SOURCE_NODE_FLAGS } from "@monograph/platform";
import { cpuMsOf, descendantsOf, rssOf } from "@monograph/process-stats";
import { MY_ORDERS } from "../test/support/flow.ts";
import { prepareCustomer } from "./customer.ts";
import { runLoad } from "./load.ts";

const { values: args } = parseArgs({
  options: {
    shape: { type: "string", default: "both" },
    variant: { type: "string", default: "both" },
    runs: { type: "string", default: "1" },
    "base-port": { type: "string", default: "14100" },
    "node-env": { type: "string", default: "development" },
    // Seconds of load (10 connections, the same products query) after the 100 queries, then RSS again: what a
    // process holds once it has served traffic for a while, not only at start.
    "load-seconds": { type: "string", default: "15" },
    // What the 100 queries and the load send: "products" (anonymous, one hop to inventory) or "my-orders" (the
    // architecture's MyOrders, signed in, across users, orders, inventory and billing; PostgreSQL only, where the
    // demo data is loaded into the running shape's database first, as an operator would).
    query: { type: "string", default: "products" },
    env: { type: "string", multiple: true, default: [] },
  },
});

type Shape = "monolith" | "distributed";
type Variant = "source" | "built";
const SHAPES: Shape[] = args.shape === "both" ? ["monolith", "distributed"] : [args.shape as Shape];
const VARIANTS: Variant[] = args.variant === "both" ? ["source", "built"] : [args.variant as Variant];
const RUNS = Number(args.runs);
const BASE_PORT = Number(args["base-port"]);
const NODE_ENV = args["node-env"];
const LOAD_SECONDS = Number(args["load-seconds"]);
const PRODUCTS_QUERY = "{ products(first: 20) { edges { node { sku name priceCents stockAvailable } } } }";
if (args.query !== "products" && args.query !== "my-orders") throw new Error(`--query takes "products" or "my-orders", not "${args.query}"`);
const MY_ORDERS_LOAD = args.query === "my-orders";
if (MY_ORDERS_LOAD && !process.env.DATABASE_URL) throw new Error("--query my-orders runs on PostgreSQL (DATABASE_URL): the demo data is loaded beside the running shape");
const MY_ORDERS_COUNT = 20;
const EXTRA_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  args.env.map((pair) => {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`--env takes NAME=value, not "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
// What production requires of every process, and the ad-hoc query below that its safelist would refuse.
const PRODUCTION_ENV: NodeJS.ProcessEnv =
  NODE_ENV === "production"
    ? { JWT_SECRET: randomBytes(32).toString("hex"), INTERNAL_SECRET: randomBytes(32).toString("hex"), OPERATIONS: "open" }
    : {};
/** Every registered domain: the distributed shape runs each in a process of its own. */
const SUBGRAPHS = DOMAIN_NAMES;

// The built variant runs what the root package.json's start:prod and start:distributed:prod run (their environment
// assignments and node flags included: the distributed launcher's heap settings, ADR 18), not a copy of them.
const ROOT_SCRIPTS = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
function nodeScript(name: string): { env: NodeJS.ProcessEnv; args: string[] } {
  const words = ROOT_SCRIPTS[name]!.split(/\s+/);
  const node = words.indexOf("node");
  if (node < 0 || words.slice(0, node).some((word) => !/^[A-Z_]+=\S*$/.test(word))) throw new Error(`${name} is not "[NAME=value ...] node ...": ${ROOT_SCRIPTS[name]}`);
  return { env: Object.fromEntries(words.slice(0, node).map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)])), args: words.slice(node + 1) };
}
const ENTRY: Record<Variant, Record<Shape, { env: NodeJS.ProcessEnv; args: string[] }>> = {
  source: {
    monolith: { env: {}, args: [...SOURCE_NODE_FLAGS, "apps/gateway/src/main.ts"] },
    distributed: { env: {}, args: [...SOURCE_NODE_FLAGS, "apps/gateway/src/distributed-main.ts"] },
  },
  built: { monolith: nodeScript("start:prod"), distributed: nodeScript("start:distributed:prod") },
};

interface ProcessFigures {
  process: string;
  readyMs: number;
  cpuMsAtReady: number;
  rssAtReady: number;
  rssAfterQueries: number;
  rssAfterLoad: number;
  loadRequests: number;
}

// /proc/<pid>/stat's starttime is in clock ticks (USER_HZ, 100 per second) since boot.
function startedAtEpochMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  const uptimeSeconds = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  return Date.now() - (uptimeSeconds - startTicks / 100) * 1000;
}

async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

const seeded = new Set<string>();
/** Loads the demo data (the customer and the products MyOrders needs) into the shape's database, once per database. */
function seedOnce(database: NodeJS.ProcessEnv): void {
  const url = database.DATABASE_URL!;
  if (seeded.has(url)) return;
  const result = spawnSync(process.execPath, ["--import", "tsx", "prisma/seed.ts"], { cwd: REPO_ROOT, env: { ...process.env, ...database, NODE_ENV: "development" }, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) throw new Error("seeding the demo data failed");
  seeded.add(url);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startOnce(shape: Shape, variant: Variant, database: NodeJS.ProcessEnv, prefix: string): Promise<ProcessFigures[]> {
  const gatewayPort = BASE_PORT;
  const ports: Record<string, number> = { gateway: gatewayPort };
  if (shape === "distributed") SUBGRAPHS.forEach((name, index) => (ports[name] = BASE_PORT + 1 + index));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV,
    ...PRODUCTION_ENV,
    LOG_FORMAT: "json",
    LOG_LEVEL: "warn",
    APOLLO_TELEMETRY_DISABLED: "true",
    PORT: String(gatewayPort),
    SUBGRAPH_BASE_PORT: String(BASE_PORT + 1),
    NATS_URL: process.env.NATS_URL ?? DEFAULT_NATS_URL,
    EVENTS_PREFIX: prefix,
  };
  delete env.DATABASE_URL;
  delete env.PGLITE_DATA_DIR;
  Object.assign(env, ENTRY[variant][shape].env, database, EXTRA_ENV);
  const startedAt = Date.now();
  const child = spawn(process.execPath, ENTRY[variant][shape].args, { cwd: REPO_ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const readyAt: Record<string, number> = {};
    const deadline = Date.now() + 600_000;
    while (Object.keys(readyAt).length < Object.keys(ports).length) {
      if (child.exitCode !== null) throw new Error(`${shape} (${variant}) exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`${shape} (${variant}) not ready within 600 s`);
      for (const [name, port] of Object.entries(ports)) if (!readyAt[name] && (await isReady(port))) readyAt[name] = Date.now();
      await sleep(25);
    }
    // Which pid is which: the launcher's children run the generic runner with the domain's name as its argument.
    const pids: Record<string, number> = { gateway: child.pid! };
    for (const pid of descendantsOf(child.pid!)) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const runner = argv.findIndex((arg) => /\/apps\/gateway\/(src|dist)\/run-domain\.(ts|js)$/.test(arg));
      const name = runner >= 0 ? SUBGRAPHS.find((subgraph) => argv[runner + 1] === subgraph) : undefined;
      if (name) pids[name] = pid;
    }
    const figures = Object.keys(ports).map((name) => {
      const pid = pids[name]!;
      const processStart = name === "gateway" ? startedAt : startedAtEpochMs(pid);
      return { process: name, readyMs: readyAt[name]! - processStart, cpuMsAtReady: cpuMsOf(pid), rssAtReady: rssOf(pid) ?? 0, rssAfterQueries: 0, rssAfterLoad: 0, loadRequests: 0 };
    });
    const graphqlUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    let token: string | undefined;
    if (MY_ORDERS_LOAD) {
      seedOnce(database);
      token = await prepareCustomer(graphqlUrl, MY_ORDERS_COUNT);
    }
    const query = MY_ORDERS_LOAD ? MY_ORDERS : PRODUCTS_QUERY;
    // 100 queries through the gateway, one at a time.
    for (let i = 0; i < 100; i++) {
      const response = await fetch(graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
      });
      if (!response.ok) throw new Error(`query ${i} answered ${response.status}`);
      await response.arrayBuffer();
    }
    for (const figure of figures) figure.rssAfterQueries = rssOf(pids[figure.process]!) ?? 0;
    const load = await runLoad({ graphqlUrl, query, token }, { connections: 10, durationMs: LOAD_SECONDS * 1000 });
    if (load.errors > 0) throw new Error(`${load.errors} requests of the load failed`);
    for (const figure of figures) Object.assign(figure, { rssAfterLoad: rssOf(pids[figure.process]!) ?? 0, loadRequests: load.requests });
    return figures;
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const onPostgres = Boolean(process.env.DATABASE_URL);
console.log(
  `${onPostgres ? "PostgreSQL" : "embedded PGlite"}, query ${args.query}, NODE_ENV=${NODE_ENV}${args.env.length ? `, ${args.env.join(" ")}` : ""}, node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((load) => load.toFixed(1)).join(" ")}\n`,
);
console.log(`| shape | variant | start | process | process start to /ready | CPU time to /ready | RSS at ready | RSS after 100 queries | RSS after ${LOAD_SECONDS} s of load |`);
console.log("|---|---|---|---|---:|---:|---:|---:|---:|");
for (const shape of SHAPES) {
  for (let run = 0; run < RUNS; run++) {
    for (const variant of VARIANTS) {
      const scratch = mkdtempSync(path.join(os.tmpdir(), `monograph-startup-${shape}-${variant}-`));
      const prefix = `startup_${randomBytes(4).toString("hex")}`;
      const postgres: TestDatabase | undefined = onPostgres ? await createTestDatabase() : undefined;
      const database = postgres ? { DATABASE_URL: (postgres.target as { url: string }).url } : { PGLITE_DATA_DIR: path.join(scratch, "pglite") };
      try {
        for (const start of ["cold", "warm"] as const) {
          for (const figure of await startOnce(shape, variant, database, prefix)) {
            console.log(
              `| ${shape} | ${variant} | ${start} | ${figure.process} | ${(figure.readyMs / 1000).toFixed(1)} s | ${(figure.cpuMsAtReady / 1000).toFixed(1)} s | ${mib(figure.rssAtReady)} MiB | ${mib(figure.rssAfterQueries)} MiB | ${mib(figure.rssAfterLoad)} MiB (${figure.loadRequests} requests) |`,
            );
          }
        }
      } finally {
        rmSync(scratch, { recursive: true, force: true });
        await postgres?.drop();
        await NatsJetStreamTransport.deleteStream({ servers: process.env.NATS_URL ?? DEFAULT_NATS_URL, prefix }).catch(() => undefined);
      }
    }
  }
}
console.log(`\nload average at the end ${os.loadavg().map((load) => load.toFixed(1)).join(" ")}`);
