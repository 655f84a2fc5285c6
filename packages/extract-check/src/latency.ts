import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { treeCpuMs } from "@monograph/process-stats";
import type { PlannedOperation } from "./operations.ts";
import type { CheckRow } from "./types.ts";

export interface ShapeFigures {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
}

export interface OperationFigures {
  name: string;
  client: string;
  monolith: ShapeFigures;
  hybrid: ShapeFigures;
}

/** What a measurement found, and what `--bench <file>` reads back (written with `--save-bench <file>`). */
export interface LatencyBench {
  version: 1;
  domain: string;
  measuredAt: string;
  /** "monolith" against "hybrid-<domain>". */
  shapes: [string, string];
  rounds: number;
  requestsPerRound: number;
  connections: number;
  operations: OperationFigures[];
  /** Every measured query together, as one mix: what the budget is checked against (more samples, steadier tails). */
  overall?: { monolith: ShapeFigures; hybrid: ShapeFigures };
  skipped: { name: string; reason: string }[];
}

export interface LatencyOptions {
  domain: string;
  operations: readonly PlannedOperation[];
  rounds: number;
  requestsPerRound: number;
  connections: number;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const START_TIMEOUT_MS = 180_000;

/**
 * The gateway app's command that serves one shape (apps/gateway/bench/serve-shape.ts), run through npm in the
 * repository this package belongs to. A package may not import the app that composes the domains, so the shapes are
 * reached as the e2e suite of --run-tests is: by a command. It writes READY_PREFIX and the GraphQL URL on stdout
 * once the shape answers, and stops in order when its standard input ends.
 */
const SERVE_SHAPE = ["run", "--silent", "serve-shape", "--workspace", "@monograph/gateway", "--"];
const READY_PREFIX = "monograph-shape ready ";

// Seeded development accounts (prisma seed, README): a customer for "me" queries, the admin for admin-only ones.
const CUSTOMER = { email: "alice@example.com", password: "alice-password-1" };
const ADMIN = { email: "admin@monograph.dev", password: "admin-password-1" };

interface Runner {
  shape: string;
  /** The root of the shape's process tree (npm, then the shape's own processes): whose CPU time is measured. */
  pid: number;
  graphqlUrl: string;
  stop(): Promise<void>;
}

function startRunner(shape: string): Promise<Runner> {
  // A process group of its own, so that a shape that will not stop can be killed whole (npm, the shape's process
  // and the domains it runs in processes of their own); Ctrl-C here ends this process, whose exit closes the
  // shape's standard input, and the shape stops in order.
  const child = spawn("npm", [...SERVE_SHAPE, shape, "--until-stdin-closes"], {
    cwd: REPO_ROOT,
    env: { ...process.env, APOLLO_TELEMETRY_DISABLED: "true" },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  let pending = "";
  let graphqlUrl: string | undefined;
  const ready = new Promise<string>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-4000);
      if (graphqlUrl) return;
      pending += text;
      const line = pending.split("\n").find((one) => one.startsWith(READY_PREFIX));
      if (line) resolve((graphqlUrl = line.slice(READY_PREFIX.length).trim()));
      else pending = pending.slice(pending.lastIndexOf("\n") + 1);
    });
  });
  child.stderr.on("data", (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Every process of the group has already ended.
    }
  };
  // npm exits only after the shape's process, which exits only once the shape has stopped in order.
  const stop = async () => {
    child.stdin.end();
    if (child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(killGroup, 30_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the ${shape} shape did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`));
    }, START_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run npm ${[...SERVE_SHAPE, shape].join(" ")}: ${error.message}`));
    });
    void ready.then((url) => {
      clearTimeout(timer);
      resolve({ shape, pid: child.pid!, graphqlUrl: url, stop });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (!graphqlUrl) reject(new Error(`the ${shape} shape's process exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

interface Request {
  query: string;
  variables: Record<string, unknown>;
  token?: string;
}

async function graphql(url: string, request: Request): Promise<{ data?: Record<string, { token?: string; id?: string } | null>; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(request.token ? { authorization: `Bearer ${request.token}` } : {}) },
    body: JSON.stringify({ query: request.query, variables: request.variables }),
  });
  return (await response.json()) as never;
}

/** Sends `count` requests over `connections` keep-alive sockets (closed loop); latencies of the successful ones. */
async function sendBounded(url: string, request: Request, count: number, connections: number): Promise<{ latencies: number[]; errors: number }> {
  const target = new URL(url);
  const body = Buffer.from(JSON.stringify({ query: request.query, variables: request.variables }));
  const headers: http.OutgoingHttpHeaders = { "content-type": "application/json", "content-length": body.length, ...(request.token ? { authorization: `Bearer ${request.token}` } : {}) };
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  let left = count;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers, timeout: 30_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          if (response.statusCode === 200 && !Buffer.concat(chunks).includes('"errors"')) latencies.push(performance.now() - started);
          else errors += 1;
          resolve();
        });
        response.on("error", () => void (errors += 1, resolve()));
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => void (errors += 1, resolve()));
      req.end(body);
    });
  const loop = async () => {
    while (left > 0) {
      left -= 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, connections) }, loop));
  agent.destroy();
  return { latencies, errors };
}

export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

/** Variables and caller for the recorded queries this repository has; others are sent without variables when they need none. */
function requestFor(operation: PlannedOperation, context: { customer: string; admin: string; orderId: string }): Request | { skip: string } {
  const variables: Record<string, Record<string, unknown>> = {
    Product: { sku: "KB-0001" },
    Products: { first: 20 },
    StockLevels: { first: 20 },
    MyOrders: { first: 20 },
    Order: { id: context.orderId },
    Users: { first: 20 },
  };
  const token = operation.name === "Users" ? context.admin : context.customer;
  const given = variables[operation.name];
  if (!given && /\$\w+\s*:\s*[\w[\]]+!(?!\s*=)/.test(operation.query.split("{")[0] ?? "")) return { skip: "needs variables this check does not know" };
  return { query: operation.query, variables: given ?? {}, token };
}

/**
 * Starts the monolith and the hybrid shape with the domain in its own process (real processes, loopback, free
 * ports), and sends each recorded query that touches the domain to both, in alternating rounds (monolith first in
 * even rounds, hybrid first in odd ones, so that neither always runs on a warmer or busier machine). Mutations
 * are not sent: they change data, and repeated they run out of stock. Every run is bounded: rounds x requests.
 */
export async function measureLatency(options: LatencyOptions): Promise<LatencyBench> {
  const log = options.log ?? (() => undefined);
  const touching = options.operations.filter((operation) => operation.subgraphs.includes(options.domain));
  const skipped = touching.filter((operation) => operation.kind !== "query").map((operation) => ({ name: operation.name, reason: `a ${operation.kind}: not sent, it changes data` }));
  const queries = touching.filter((operation) => operation.kind === "query");
  const shapes: [string, string] = ["monolith", `hybrid-${options.domain}`];
  log(`Starting the ${shapes.join(" and ")} shapes...`);
  const started = await Promise.allSettled(shapes.map(startRunner));
  const runners = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  try {
    const failure = started.find((result) => result.status === "rejected");
    if (failure) throw (failure as PromiseRejectedResult).reason;

    const prepared = new Map<string, Map<string, Request>>();
    for (const runner of runners) {
      const signIn = async (user: typeof CUSTOMER) =>
        (await graphql(runner.graphqlUrl, { query: "mutation ($input: SignInInput!) { signIn(input: $input) { token } }", variables: { input: user } })).data?.signIn?.token;
      const [customer, admin] = await Promise.all([signIn(CUSTOMER), signIn(ADMIN)]);
      const created = await graphql(runner.graphqlUrl, {
        query: "mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id } }",
        variables: { input: { items: [{ sku: "KB-0001", quantity: 1 }, { sku: "MS-0001", quantity: 1 }], idempotencyKey: `extract-check-${Date.now()}` } },
        token: customer,
      });
      const orderId = created.data?.createOrder?.id;
      if (!customer || !admin || !orderId) throw new Error(`could not prepare the ${runner.shape} shape: ${JSON.stringify(created.errors ?? "no token")}`);
      const requests = new Map<string, Request>();
      for (const operation of queries) {
        const request = requestFor(operation, { customer, admin, orderId });
        if ("skip" in request) continue;
        const answer = await graphql(runner.graphqlUrl, request);
        if (answer.errors?.length) continue;
        requests.set(operation.name, request);
      }
      prepared.set(runner.shape, requests);
    }
    const sendable = queries.filter((operation) => runners.every((runner) => prepared.get(runner.shape)!.has(operation.name)));
    for (const operation of queries.filter((one) => !sendable.includes(one))) {
      const probe = requestFor(operation, { customer: "", admin: "", orderId: "" });
      skipped.push({ name: operation.name, reason: "skip" in probe ? probe.skip : "answered with errors in a shape" });
    }

    // Warm-up (query plans, JIT, connections), not counted.
    for (const runner of runners) for (const operation of sendable) await sendBounded(runner.graphqlUrl, prepared.get(runner.shape)!.get(operation.name)!, Math.min(10, options.requestsPerRound), 1);

    const figures = new Map<string, { latencies: number[]; errors: number; cpuMs: number }>();
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? runners : [...runners].reverse();
      log(`Round ${round + 1} of ${options.rounds}: ${order.map((runner) => runner.shape).join(", then ")}`);
      for (const runner of order) {
        for (const operation of sendable) {
          const cpuBefore = treeCpuMs(runner.pid);
          const result = await sendBounded(runner.graphqlUrl, prepared.get(runner.shape)!.get(operation.name)!, options.requestsPerRound, options.connections);
          const cpuMs = treeCpuMs(runner.pid) - cpuBefore;
          const key = `${runner.shape}/${operation.name}`;
          const sum = figures.get(key) ?? { latencies: [], errors: 0, cpuMs: 0 };
          sum.latencies.push(...result.latencies);
          sum.errors += result.errors;
          sum.cpuMs += cpuMs;
          figures.set(key, sum);
        }
      }
    }
    const summed = (keys: string[]) =>
      keys.map((key) => figures.get(key)!).reduce((all, one) => ({ latencies: [...all.latencies, ...one.latencies], errors: all.errors + one.errors, cpuMs: all.cpuMs + one.cpuMs }), { latencies: [] as number[], errors: 0, cpuMs: 0 });
    const of = (shape: string, name?: string): ShapeFigures => {
      const sum = summed(name ? [`${shape}/${name}`] : sendable.map((operation) => `${shape}/${operation.name}`));
      return { requests: sum.latencies.length, errors: sum.errors, p50Ms: percentile(sum.latencies, 0.5), p99Ms: percentile(sum.latencies, 0.99), cpuMsPerRequest: sum.cpuMs / Math.max(1, sum.latencies.length + sum.errors) };
    };
    return {
      version: 1,
      domain: options.domain,
      measuredAt: new Date().toISOString(),
      shapes,
      rounds: options.rounds,
      requestsPerRound: options.requestsPerRound,
      connections: options.connections,
      operations: sendable.map((operation) => ({ name: operation.name, client: operation.client, monolith: of(shapes[0], operation.name), hybrid: of(shapes[1], operation.name) })),
      overall: sendable.length > 0 ? { monolith: of(shapes[0]), hybrid: of(shapes[1]) } : undefined,
      skipped,
    };
  } finally {
    await Promise.all(runners.map((runner) => runner.stop()));
  }
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : "n/a");
const signed = (value: number) => (Number.isFinite(value) ? `${value >= 0 ? "+" : ""}${value.toFixed(1)} ms` : "n/a");

export function checkLatency(domain: string, budgetP99Ms: number, source: string, bench: LatencyBench | undefined, error?: string): CheckRow {
  const base = { id: "latency-budget" as const, title: "Latency budget", required: true };
  if (!bench) return { ...base, verdict: "fail", summary: `not measured: ${error ?? "no measurement"}`, evidence: [`measure it: start both shapes (the default), or --bench <saved result>`] };
  const rows = bench.operations.map((operation) => ({
    ...operation,
    addedP50: operation.hybrid.p50Ms - operation.monolith.p50Ms,
    addedP99: operation.hybrid.p99Ms - operation.monolith.p99Ms,
    addedCpu: operation.hybrid.cpuMsPerRequest - operation.monolith.cpuMsPerRequest,
  }));
  const evidence = [
    `${source}: ${bench.shapes.join(" vs ")}, ${bench.rounds} alternating rounds x ${bench.requestsPerRound} requests per query, ${bench.connections} connection${bench.connections === 1 ? "" : "s"} (${bench.measuredAt})`,
    ...rows.map(
      (row) =>
        `${row.name}: p50 ${ms(row.monolith.p50Ms)} -> ${ms(row.hybrid.p50Ms)} (${signed(row.addedP50)}), p99 ${ms(row.monolith.p99Ms)} -> ${ms(row.hybrid.p99Ms)} (${signed(row.addedP99)}), CPU/request ${ms(row.monolith.cpuMsPerRequest)} -> ${ms(row.hybrid.cpuMsPerRequest)} (${signed(row.addedCpu)}); ${row.monolith.requests + row.hybrid.requests} requests, ${row.monolith.errors + row.hybrid.errors} errors`,
    ),
    ...(bench.overall
      ? [
          `all together: p50 ${ms(bench.overall.monolith.p50Ms)} -> ${ms(bench.overall.hybrid.p50Ms)}, p99 ${ms(bench.overall.monolith.p99Ms)} -> ${ms(bench.overall.hybrid.p99Ms)}, CPU/request ${ms(bench.overall.monolith.cpuMsPerRequest)} -> ${ms(bench.overall.hybrid.cpuMsPerRequest)}`,
        ]
      : []),
    ...bench.skipped.map((skip) => `${skip.name}: ${skip.reason}`),
  ];
  const data = { source, budgetP99Ms, bench, added: rows.map((row) => ({ name: row.name, p50Ms: row.addedP50, p99Ms: row.addedP99, cpuMsPerRequest: row.addedCpu })) };
  if (rows.length === 0) return { ...base, verdict: "fail", summary: `no recorded query touching ${domain} could be measured`, evidence, data };
  const failed = rows.filter((row) => row.monolith.requests === 0 || row.hybrid.requests === 0);
  if (failed.length > 0) return { ...base, verdict: "fail", summary: `every request of ${failed.map((row) => row.name).join(", ")} failed in a shape`, evidence, data };
  // The budget applies to the domain's queries as one mix (a saved result without it: the worst query).
  const worst = rows.reduce((a, b) => (b.addedP99 > a.addedP99 ? b : a));
  const overall = bench.overall;
  const added = overall
    ? { p50: overall.hybrid.p50Ms - overall.monolith.p50Ms, p99: overall.hybrid.p99Ms - overall.monolith.p99Ms, cpu: overall.hybrid.cpuMsPerRequest - overall.monolith.cpuMsPerRequest, what: `all ${rows.length} queries` }
    : { p50: worst.addedP50, p99: worst.addedP99, cpu: worst.addedCpu, what: `worst: ${worst.name}` };
  const within = added.p99 <= budgetP99Ms;
  return {
    ...base,
    verdict: within ? "pass" : "fail",
    summary: `the hop adds ${signed(added.p99)} at p99, ${signed(added.p50)} at p50, ${signed(added.cpu)} CPU per request (${added.what}): ${within ? "within" : "over"} the budget of ${budgetP99Ms} ms at p99`,
    evidence,
    data: { ...data, overall: { p50Ms: added.p50, p99Ms: added.p99, cpuMsPerRequest: added.cpu } },
  };
}
