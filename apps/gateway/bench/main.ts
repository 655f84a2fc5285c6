// npm run bench: the MyOrders query of ARCHITECTURE.md through the gateway over HTTP, in the monolith and the
// distributed shape; the in-process data source against @apollo/gateway's stock one; memory of each shape; SQL
// statements per request. Prints tables; writes a file only when asked (--out). See docs/benchmarks.md.
import { fork, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { commandOf, descendantsOf, mib, rssOf, treeCpuMs } from "@monograph/process-stats";
import type { TelemetryPart } from "@monograph/telemetry";
import { graphqlClient } from "../test/support/client.ts";
import { MY_ORDERS } from "../test/support/flow.ts";
import { CUSTOMER, myOrders, placeOrders, prepareCustomer, waitForInvoices, type OrderEdge } from "./customer.ts";
import type { DataSourceKind } from "./data-source-switch.ts";
import { runLoad, summarize, type LoadResult, type LoadSummary, type LoadTarget } from "./load.ts";
import type { RunnerMessage, RunnerMode, RunnerRequest } from "./protocol.ts";

// --workload gateways: the public graphql-gateways-benchmark workload instead (bench/gateways/main.ts), which
// parses its own options and exits when done.
const workload = process.argv.indexOf("--workload");
if (workload !== -1) {
  if (process.argv[workload + 1] !== "gateways") {
    console.error(`--workload takes "gateways" (the default workload, MyOrders, needs no option).`);
    process.exit(2);
  }
  await import("./gateways/main.ts");
}

const USAGE = `Usage: npm run bench -w @monograph/gateway -- [options]
   or: npm run bench -- -- [options]      (from the repository root, which calls the workspace's script)

  --duration <s>      measured seconds per shape and per data source, in two rounds of half (default 10)
  --warmup <s>        warm-up seconds before measuring (default 3)
  --connections <n>   concurrent requests in flight (default 10)
  --orders <n>        orders of the benchmark customer, 1 to 50 (default 20)
  --shape <shape>     monolith | distributed | both (default both)
  --skip <list>       comma-separated sections to leave out: data-source, usage, telemetry, sql
  --usage-pairs <n>   pairs of rounds (on, off) for the usage reporting section, alternating A B B A A B... (default 2)
  --telemetry-pairs <n>  the same for the observability section: telemetry on (as shipped, no OTLP endpoint) and
                      off (TELEMETRY_OFF=all's parts), switched in the same monolith process (default 2)
  --telemetry-parts <list>  the parts switched off in its "off" rounds (default context,metrics,logs,sql: all)
  --node-env <env>    NODE_ENV of the runner processes (the API's gateway process; default: as the bench's own).
                      production drops graphql-js's development checks. The distributed shape's subgraph processes
                      keep NODE_ENV=test, as in the end-to-end tests
  --cpu-prof <dir>    a V8 CPU profile of each runner process, into <dir>/<shape>/ (bench/telemetry-share.ts reads them)
  --out <file>        also write every figure as JSON to <file>
  --workload gateways the public graphql-gateways-benchmark workload instead (its own options: --workload gateways --help)
  --verbose           show the output of the API's processes
  -h, --help`;

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    orders: { type: "string", default: "20" },
    shape: { type: "string", default: "both" },
    skip: { type: "string", default: "" },
    "usage-pairs": { type: "string", default: "2" },
    "telemetry-pairs": { type: "string", default: "2" },
    "telemetry-parts": { type: "string", default: "context,metrics,logs,sql" },
    "node-env": { type: "string" },
    "cpu-prof": { type: "string" },
    out: { type: "string" },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = (name: string, value: string, max = Infinity): number => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > max) {
    console.error(`--${name} must be a number between 0 and ${max}, not "${value}".\n\n${USAGE}`);
    process.exit(2);
  }
  return number;
};
const options = {
  durationMs: positive("duration", args.duration) * 1000,
  warmupMs: positive("warmup", args.warmup) * 1000,
  connections: Math.round(positive("connections", args.connections, 1000)),
  orders: Math.round(positive("orders", args.orders, 50)),
  shapes: (args.shape === "both" ? ["monolith", "distributed"] : [args.shape]) as ("monolith" | "distributed")[],
  skip: new Set(args.skip.split(",").filter(Boolean)),
  usagePairs: Math.round(positive("usage-pairs", args["usage-pairs"], 100)),
  telemetryPairs: Math.round(positive("telemetry-pairs", args["telemetry-pairs"], 100)),
};
if (!options.shapes.every((shape) => shape === "monolith" || shape === "distributed")) {
  console.error(`--shape must be monolith, distributed or both.\n\n${USAGE}`);
  process.exit(2);
}
for (const section of options.skip) {
  if (!["data-source", "usage", "telemetry", "sql"].includes(section)) {
    console.error(`--skip takes data-source, usage, telemetry and/or sql, not "${section}".\n\n${USAGE}`);
    process.exit(2);
  }
}

const progress = (message: string) => console.error(`[bench] ${message}`);

// ---------------------------------------------------------------------------------------------------------------
// Runner processes: one per shape (the shapes run side by side, so that their rounds can alternate), and one for
// the SQL count; each is stopped, with everything it started, before the bench exits.

class Runner {
  private readonly output: string[] = [];
  private readonly waiting = new Map<RunnerMessage["type"], (message: RunnerMessage) => void>();
  private exited = false;

  private constructor(
    readonly mode: RunnerMode,
    private readonly child: ChildProcess,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding("utf8");
      stream?.on("data", (text: string) => {
        if (args.verbose) process.stderr.write(text.replace(/^(?=.)/gm, `  [${mode}] `));
        this.output.push(...text.split("\n"));
        if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
      });
    }
    child.on("message", (message: RunnerMessage) => {
      const resolve = this.waiting.get(message.type);
      this.waiting.delete(message.type);
      resolve?.(message);
    });
    child.on("exit", () => {
      this.exited = true;
      const failed = this.waiting.get("failed");
      this.waiting.clear();
      failed?.({ type: "failed", error: `the ${mode} runner exited\n${this.output.slice(-40).join("\n")}` });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(mode: RunnerMode): Promise<{ runner: Runner; ready: Extract<RunnerMessage, { type: "ready" }> }> {
    const child = fork(fileURLToPath(new URL("./runner.ts", import.meta.url)), [mode], {
      execArgv: ["--import", "tsx", "--expose-gc", ...(args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args["cpu-prof"], mode)}`] : [])],
      env: { ...process.env, ...(args["node-env"] ? { NODE_ENV: args["node-env"] } : {}) },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const runner = new Runner(mode, child);
    const message = await Promise.race([runner.next("ready"), runner.next("failed")]);
    if (message.type === "failed") {
      await runner.stop();
      throw new Error(`The ${mode} shape did not start: ${message.error}`);
    }
    return { runner, ready: message as Extract<RunnerMessage, { type: "ready" }> };
  }

  private next(type: RunnerMessage["type"]): Promise<RunnerMessage> {
    return new Promise((resolve) => this.waiting.set(type, resolve));
  }

  async request<T extends RunnerRequest["type"] & RunnerMessage["type"]>(request: RunnerRequest & { type: T }): Promise<Extract<RunnerMessage, { type: T }>> {
    if (this.exited) throw new Error(`The ${this.mode} runner is gone.\n${this.output.slice(-40).join("\n")}`);
    const answer = Promise.race([this.next(request.type), this.next("failed")]);
    this.child.send(request);
    const message = await answer;
    if (message.type === "failed") throw new Error(message.error);
    return message as Extract<RunnerMessage, { type: T }>;
  }

  /** Asks the runner to stop its shape (its subgraph processes, stream, database), then makes sure it is gone. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    if (this.child.connected) this.child.send({ type: "stop" } satisfies RunnerRequest);
    else this.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      progress(`the ${this.mode} runner did not stop within 30 s: killing it`);
      this.child.kill("SIGKILL");
    }, 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Runners started and not yet stopped: what an interruption or a failure must stop. */
const active = new Set<Runner>();
const stopAll = () => Promise.all([...active].map((runner) => runner.stop().finally(() => active.delete(runner))));
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    progress(`${signal}: stopping`);
    void stopAll().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The benchmark customer, through the public API only.

// ---------------------------------------------------------------------------------------------------------------
// Measurements.

interface MemorySample {
  /** VmRSS of each process of the shape, by role. */
  rss: Record<string, number>;
  rssTotal: number;
  /** The gateway process's V8 heap after a full GC. */
  heapUsed: number;
  heapTotal: number;
  /** Memory of the gateway process outside the V8 heap: buffers, and PGlite's WebAssembly memory. */
  external: number;
}

async function sampleMemory(runner: Runner, subgraphPids: Record<string, number>): Promise<MemorySample> {
  const rss: Record<string, number> = {};
  const roleOf = new Map<number, string>([[runner.pid, "gateway"], ...Object.entries(subgraphPids).map(([name, pid]) => [pid, name] as [number, string])]);
  // Every process of the shape: the runner (the gateway) and all its descendants (the subgraphs, and whatever
  // they start). Read before asking for the heap, whose full GC could shrink the gateway's RSS.
  for (const pid of [runner.pid, ...descendantsOf(runner.pid)]) {
    const bytes = rssOf(pid);
    if (bytes === undefined) continue;
    const role = roleOf.get(pid) ?? `other (${commandOf(pid)})`;
    rss[role] = (rss[role] ?? 0) + bytes;
  }
  const heap = await runner.request({ type: "heap" });
  return { rss, rssTotal: Object.values(rss).reduce((sum, bytes) => sum + bytes, 0), heapUsed: heap.heapUsed, heapTotal: heap.heapTotal, external: heap.external };
}

const load = (target: LoadTarget, durationMs: number): Promise<LoadResult> => runLoad(target, { connections: options.connections, durationMs });

interface ShapeResult {
  database: string;
  load: LoadSummary;
  /**
   * CPU time the shape's processes (gateway, subgraphs) used per request during its measured rounds: less
   * sensitive than requests/s to other work on the machine, since time spent waiting for a core is not counted.
   */
  cpuMsPerRequest: number;
  /** CPU time the load client (this process) used per request. */
  clientCpuMsPerRequest: number;
  /** Share of one core the shape used while idle, during the other shape's rounds. */
  idleCpuShare?: number;
  memory: { afterWarmup: MemorySample; afterLoad: MemorySample };
}

interface DataSourceResult {
  inProcess: LoadSummary & { cpuMsPerRequest: number };
  local: LoadSummary & { cpuMsPerRequest: number };
  /** Throughput ratio in-process ÷ local of each pair of adjacent rounds (A B B A). */
  pairRatios: number[];
}

/** Something switched on and off in one process between rounds (usage reporting, telemetry). */
interface SwitchResult {
  on: LoadSummary & { cpuMsPerRequest: number };
  off: LoadSummary & { cpuMsPerRequest: number };
  /** Throughput ratio on ÷ off of each pair of adjacent rounds (A B B A). */
  pairRatios: number[];
  /** CPU per request ratio on ÷ off of each pair of adjacent rounds. */
  cpuPairRatios: number[];
  /**
   * Requests the switched part counted during the "on" rounds (it counts none during the "off" ones: checked), when
   * it has a counter of its own.
   */
  recorded?: number;
}

interface StartedShape {
  mode: "monolith" | "distributed";
  runner: Runner;
  ready: Extract<RunnerMessage, { type: "ready" }>;
  target: LoadTarget;
}

/** One measured stretch of load on one shape, with the CPU time every running shape and the client used meanwhile. */
interface Round {
  result: LoadResult;
  cpuMs: Map<StartedShape, number>;
  clientCpuMs: number;
}

async function round(shapes: StartedShape[], target: StartedShape, durationMs: number): Promise<Round> {
  const before = new Map(shapes.map((shape) => [shape, treeCpuMs(shape.runner.pid)]));
  const client = process.cpuUsage();
  const result = await load(target.target, durationMs);
  const clientUsage = process.cpuUsage(client);
  const cpuMs = new Map(shapes.map((shape) => [shape, treeCpuMs(shape.runner.pid) - before.get(shape)!]));
  return { result, cpuMs, clientCpuMs: (clientUsage.user + clientUsage.system) / 1000 };
}

const rpsOf = (result: LoadResult) => result.requests / (result.elapsedMs / 1000);

/**
 * Runs `a` and `b` in alternating rounds of half the duration each, A B B A, so that a slow drift of the machine
 * (other work starting or stopping) weighs on both alike; returns each side's rounds and the throughput ratio
 * a ÷ b of each pair of adjacent rounds, which shows how much the ratio moved during the run.
 */
async function alternate(a: () => Promise<Round>, b: () => Promise<Round>): Promise<{ a: Round[]; b: Round[]; pairRatios: number[] }> {
  const a1 = await a();
  const b1 = await b();
  const b2 = await b();
  const a2 = await a();
  return { a: [a1, a2], b: [b1, b2], pairRatios: [rpsOf(a1.result) / rpsOf(b1.result), rpsOf(a2.result) / rpsOf(b2.result)] };
}

const requestsOf = (rounds: Round[]) => rounds.reduce((sum, each) => sum + each.result.requests, 0);
const cpuPerRequest = (rounds: Round[], shape: StartedShape) => rounds.reduce((sum, each) => sum + each.cpuMs.get(shape)!, 0) / requestsOf(rounds);

/**
 * Starts the requested shapes side by side (an idle shape costs next to no CPU: an outbox poll a second; the
 * figures show how much), so that their load rounds can alternate; measures them; stops them, with everything
 * they started.
 */
async function measureShapes(): Promise<{ shapes: Partial<Record<"monolith" | "distributed", ShapeResult>>; shapePairRatios?: number[]; dataSources?: DataSourceResult; usage?: SwitchResult; telemetry?: SwitchResult }> {
  const started: StartedShape[] = [];
  try {
    for (const mode of options.shapes) {
      progress(`starting the ${mode} shape…`);
      const { runner, ready } = await Runner.start(mode);
      active.add(runner);
      progress(`${mode} on ${ready.database}: ${options.orders} orders for ${CUSTOMER.email}, waiting for their invoices…`);
      const token = await prepareCustomer(ready.graphqlUrl, options.orders);
      started.push({ mode, runner, ready, target: { graphqlUrl: ready.graphqlUrl, query: MY_ORDERS, token } });
    }

    const afterWarmup = new Map<StartedShape, MemorySample>();
    for (const shape of started) {
      progress(`${shape.mode}: warm-up ${options.warmupMs / 1000} s`);
      await load(shape.target, options.warmupMs);
      afterWarmup.set(shape, await sampleMemory(shape.runner, shape.ready.subgraphPids));
    }

    const half = options.durationMs / 2;
    const rounds = new Map<StartedShape, Round[]>();
    let shapePairRatios: number[] | undefined;
    if (started.length === 2) {
      const [monolith, distributed] = started as [StartedShape, StartedShape];
      progress(`monolith and distributed: 4 rounds of ${half / 1000} s (A B B A)`);
      const compared = await alternate(() => round(started, monolith, half), () => round(started, distributed, half));
      rounds.set(monolith, compared.a).set(distributed, compared.b);
      shapePairRatios = compared.pairRatios;
    } else {
      const [only] = started as [StartedShape];
      progress(`${only.mode}: ${options.durationMs / 1000} s measured`);
      rounds.set(only, [await round(started, only, options.durationMs)]);
    }

    const shapes: Partial<Record<"monolith" | "distributed", ShapeResult>> = {};
    for (const shape of started) {
      const own = rounds.get(shape)!;
      const others = [...rounds].filter(([other]) => other !== shape).flatMap(([, each]) => each);
      const idleMs = others.reduce((sum, each) => sum + each.result.elapsedMs, 0);
      shapes[shape.mode] = {
        database: shape.ready.database,
        load: summarize(own.map((each) => each.result)),
        cpuMsPerRequest: cpuPerRequest(own, shape),
        clientCpuMsPerRequest: own.reduce((sum, each) => sum + each.clientCpuMs, 0) / requestsOf(own),
        idleCpuShare: others.length > 0 ? others.reduce((sum, each) => sum + each.cpuMs.get(shape)!, 0) / idleMs : undefined,
        memory: { afterWarmup: afterWarmup.get(shape)!, afterLoad: await sampleMemory(shape.runner, shape.ready.subgraphPids) },
      };
    }

    const monolith = started.find((shape) => shape.mode === "monolith");
    const usage = monolith && !options.skip.has("usage") ? await measureUsage(started, monolith, half) : undefined;
    const telemetry = monolith && !options.skip.has("telemetry") ? await measureTelemetry(started, monolith, half) : undefined;
    if (!monolith || options.skip.has("data-source")) return { shapes, shapePairRatios, usage, telemetry };
    progress(`monolith: data sources, warm-up of the stock one, then 4 rounds of ${half / 1000} s (A B B A)`);
    const use = (kind: DataSourceKind) => monolith.runner.request({ type: "data-source", kind });
    await use("local");
    await load(monolith.target, options.warmupMs);
    const compared = await alternate(
      async () => (await use("in-process"), round(started, monolith, half)),
      async () => (await use("local"), round(started, monolith, half)),
    );
    const { calls } = await use("in-process");
    if (calls.local === 0 || calls["in-process"] === 0) throw new Error(`The data source switch did not take effect: ${JSON.stringify(calls)}`);
    const of = (each: Round[]) => ({ ...summarize(each.map((one) => one.result)), cpuMsPerRequest: cpuPerRequest(each, monolith) });
    return { shapes, shapePairRatios, usage, telemetry, dataSources: { inProcess: of(compared.a), local: of(compared.b), pairRatios: compared.pairRatios } };
  } finally {
    for (const shape of started.reverse()) progress(`stopping the ${shape.mode} shape`);
    await stopAll();
  }
}

/** Usage reporting on against off, in the same monolith process. */
function measureUsage(started: StartedShape[], monolith: StartedShape, half: number): Promise<SwitchResult> {
  progress(`monolith: usage reporting on and off, ${options.usagePairs} pairs of rounds of ${half / 1000} s (A B B A...)`);
  return measureSwitch(started, monolith, half, options.usagePairs, "Usage reporting", async (enabled) => (await monolith.runner.request({ type: "usage", enabled })).recorded);
}

/**
 * Telemetry as shipped (no OTLP endpoint: no tracing) against TELEMETRY_OFF=all's parts, switched in the same
 * monolith process (issue 9's bound: within 3 %). Node's runtime metrics stay on in both (they follow TELEMETRY_OFF
 * at start-up only), and so does the Prisma adapter's proxy (its per-statement check is what switches).
 */
function measureTelemetry(started: StartedShape[], monolith: StartedShape, half: number): Promise<SwitchResult> {
  progress(`monolith: telemetry on and off, ${options.telemetryPairs} pairs of rounds of ${half / 1000} s (A B B A...)`);
  const parts = args["telemetry-parts"].split(",").filter(Boolean) as TelemetryPart[];
  // Without metrics among the parts, the request counter counts in both kinds of round: nothing to check it by.
  const checkable = parts.includes("metrics");
  return measureSwitch(started, monolith, half, options.telemetryPairs, "Telemetry (its request counter)", async (on) => {
    const { counted } = await monolith.runner.request({ type: "telemetry", off: on ? [] : parts });
    return checkable ? counted : undefined;
  });
}

/**
 * Rounds with `set(true)` against rounds with `set(false)` in one process: pairs A B, B A, A B... `set` switches and
 * returns the switched part's own counter, which must move during "on" rounds and stand still during "off" ones
 * (undefined: the part has none, and the switch is not checked).
 */
async function measureSwitch(started: StartedShape[], monolith: StartedShape, half: number, pairs: number, label: string, set: (on: boolean) => Promise<number | undefined>): Promise<SwitchResult> {
  let recorded: number | undefined;
  const measure = async (enabled: boolean) => {
    const before = await set(enabled);
    const measured = await round(started, monolith, half);
    const after = await set(enabled);
    if (before !== undefined && after !== undefined) {
      const counted = after - before;
      if (!enabled && counted !== 0) throw new Error(`${label} counted ${counted} requests while switched off: the switch did not take effect`);
      recorded = (recorded ?? 0) + counted;
    }
    return measured;
  };
  const on = () => measure(true);
  const off = () => measure(false);
  const a: Round[] = [];
  const b: Round[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    if (pair % 2 === 0) {
      a.push(await on());
      b.push(await off());
    } else {
      b.push(await off());
      a.push(await on());
    }
  }
  await set(true);
  if (recorded === 0) throw new Error(`${label} counted nothing during its rounds: is it off in this process?`);
  const of = (each: Round[]) => ({ ...summarize(each.map((one) => one.result)), cpuMsPerRequest: cpuPerRequest(each, monolith) });
  return {
    on: of(a),
    off: of(b),
    pairRatios: a.map((round_, i) => rpsOf(round_.result) / rpsOf(b[i]!.result)),
    cpuPairRatios: a.map((round_, i) => cpuPerRequest([round_], monolith) / cpuPerRequest([b[i]!], monolith)),
    recorded,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

interface SqlRow {
  customer: string;
  query: string;
  orders: number;
  invoiced: number;
  statements: number;
  bySchema: Record<string, number>;
}

async function measureSql(): Promise<{ database: string; rows: SqlRow[] }> {
  progress("starting the monolith with a SQL statement counter…");
  const { runner, ready } = await Runner.start("sql");
  active.add(runner);
  try {
    const api = graphqlClient(ready.graphqlUrl);
    const customers: { count: number; token: string }[] = [];
    for (const count of [5, 50]) {
      const { token } = (await api.ok(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`, {
        input: { email: `bench-${count}-${Date.now()}@example.com`, password: "bench-password-1", name: `Has ${count} orders` },
      })).signUp as { token: string };
      progress(`sql: ${count} orders for a new customer`);
      await placeOrders(api, token, count);
      customers.push({ count, token });
    }
    for (const { count, token } of customers) await waitForInvoices(api, token, count);

    const rows: SqlRow[] = [];
    for (const first of [20, 50]) {
      for (const { count, token } of customers) {
        const query = myOrders(first);
        await api.ok(query, {}, token);
        await runner.request({ type: "count", counting: true });
        const { me } = await api.ok(query, {}, token);
        const { statements } = await runner.request({ type: "count", counting: false });
        const bySchema: Record<string, number> = {};
        for (const sql of statements) {
          const schema = /"(users|inventory|orders|billing)"\./.exec(sql)?.[1] ?? "other";
          bySchema[schema] = (bySchema[schema] ?? 0) + 1;
        }
        const edges = me.orders.edges as OrderEdge[];
        rows.push({
          customer: `${count} orders`,
          query: first === 20 ? "MyOrders" : "MyOrders, orders(first: 50)",
          orders: edges.length,
          invoiced: edges.filter((edge) => edge.node.invoice).length,
          statements: statements.length,
          bySchema,
        });
      }
    }
    return { database: ready.database, rows };
  } finally {
    progress("stopping the SQL counter's monolith");
    await stopAll();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tables.

/** A Markdown table: columns whose cells all start with a digit are right-aligned, the others left-aligned. */
function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const right = headers.map((_, column) => column > 0 && rows.every((row) => !row[column] || /^[\d.]/.test(row[column]!)));
  const line = (cells: string[]) => "| " + cells.map((cell, column) => (right[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(" | ") + " |";
  const rule = "|" + widths.map((width, column) => "-".repeat(width + 1) + (right[column] ? ":" : "-")).join("|") + "|";
  return [line(headers), rule, ...rows.map(line)].join("\n");
}
const ms = (value: number) => `${value.toFixed(1)} ms`;
const ratio = (value: number) => `${value.toFixed(2)}×`;
const ratio3 = (value: number) => `${value.toFixed(3)}×`;
const loadRow = (label: string, summary: LoadSummary, cpuMsPerRequest: number) => [
  label,
  summary.rps.toFixed(0),
  ms(summary.meanMs),
  ms(summary.p50Ms),
  ms(summary.p95Ms),
  ms(summary.p99Ms),
  ms(cpuMsPerRequest),
  String(summary.requests),
  String(summary.errors),
];
const LOAD_HEADERS = ["", "req/s", "mean", "p50", "p95", "p99", "CPU/request", "requests", "errors"];
const ratioRow = (label: string, a: LoadSummary, b: LoadSummary, aCpu: number, bCpu: number) => [
  label,
  ratio(a.rps / b.rps),
  ratio(a.meanMs / b.meanMs),
  ratio(a.p50Ms / b.p50Ms),
  ratio(a.p95Ms / b.p95Ms),
  ratio(a.p99Ms / b.p99Ms),
  ratio(aCpu / bCpu),
  "",
  "",
];

// ---------------------------------------------------------------------------------------------------------------

const started = Date.now();
const cpus = os.cpus();
const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus.length,
  cpuModel: cpus[0]?.model ?? "unknown",
  memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
  database: process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : "PGlite (embedded)",
  /** Other work on the machine skews every figure: the 1-minute load average before and after the run. */
  loadAverage: { before: os.loadavg()[0]!, after: NaN },
};
const results: {
  machine: typeof machine;
  options: { durationSeconds: number; warmupSeconds: number; connections: number; orders: number };
  shapes: Partial<Record<"monolith" | "distributed", ShapeResult>>;
  /** Throughput ratio monolith ÷ distributed of each pair of adjacent rounds (A B B A). */
  shapePairRatios?: number[];
  dataSources?: DataSourceResult;
  usageReporting?: SwitchResult;
  telemetry?: SwitchResult;
  sql?: { database: string; rows: SqlRow[] };
} = {
  machine,
  options: { durationSeconds: options.durationMs / 1000, warmupSeconds: options.warmupMs / 1000, connections: options.connections, orders: options.orders },
  shapes: {},
};

try {
  const measured = await measureShapes();
  results.shapes = measured.shapes;
  results.shapePairRatios = measured.shapePairRatios;
  results.dataSources = measured.dataSources;
  results.usageReporting = measured.usage;
  results.telemetry = measured.telemetry;
  if (options.shapes.includes("monolith") && !options.skip.has("sql")) results.sql = await measureSql();
} catch (error) {
  await stopAll();
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

machine.loadAverage.after = os.loadavg()[0]!;
const { monolith, distributed } = results.shapes;
const out: string[] = [];
out.push(
  `Monograph benchmark, ${machine.date}: Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memory}; ${machine.database}`,
  `MyOrders (users → orders → inventory + billing) for ${CUSTOMER.email} with ${options.orders} invoiced orders, through the gateway over HTTP;` +
    ` ${options.connections} connections, ${options.warmupMs / 1000} s warm-up, ${options.durationMs / 1000} s measured;` +
    ` NODE_ENV of the gateway process: ${args["node-env"] ?? process.env.NODE_ENV ?? "(unset)"}.`,
  `Load average (1 min): ${machine.loadAverage.before.toFixed(2)} before the run, ${machine.loadAverage.after.toFixed(2)} after it (the bench's own load included);` +
    ` anything else running on the machine skews the figures.`,
  "",
  "1. Monolith (every subgraph in the gateway's process) vs distributed (every subgraph its own process, over HTTP)",
  "",
);
const shapeRows: string[][] = [];
if (monolith) shapeRows.push(loadRow("monolith", monolith.load, monolith.cpuMsPerRequest));
if (distributed) shapeRows.push(loadRow("distributed", distributed.load, distributed.cpuMsPerRequest));
if (monolith && distributed) shapeRows.push(ratioRow("monolith ÷ distributed", monolith.load, distributed.load, monolith.cpuMsPerRequest, distributed.cpuMsPerRequest));
out.push(table(LOAD_HEADERS, shapeRows), "");
const measuredShapes = Object.entries(results.shapes);
out.push(
  "CPU/request: CPU time of all the shape's processes per request (the load client's own: " +
    measuredShapes.map(([mode, result]) => `${ms(result.clientCpuMsPerRequest)} against the ${mode}`).join(", ") +
    ")." +
    (measuredShapes.some(([, result]) => result.idleCpuShare !== undefined)
      ? " Idle while the other shape was under load, each used: " +
        measuredShapes.map(([mode, result]) => `${mode} ${((result.idleCpuShare ?? 0) * 100).toFixed(1)}% of a core`).join(", ") +
        "."
      : ""),
  "",
);
if (monolith && distributed) {
  out.push(
    `Headline: the monolith serves ${ratio(monolith.load.rps / distributed.load.rps)} the requests/s of the distributed shape,` +
      ` at ${ratio(monolith.load.p50Ms / distributed.load.p50Ms)} its median latency (p99: ${ratio(monolith.load.p99Ms / distributed.load.p99Ms)}).` +
      ` Rounds A B B A of ${options.durationMs / 2000} s; throughput ratio per pair: ${(results.shapePairRatios ?? []).map(ratio).join(", ")}.`,
    "",
  );
}

if (results.dataSources) {
  const { inProcess, local, pairRatios } = results.dataSources;
  out.push("2. The monolith's in-process data source: the default JitInProcessDataSource (parse + validate + compile once) vs stock LocalGraphQLDataSource", "");
  out.push(
    table(LOAD_HEADERS, [
      loadRow("JitInProcessDataSource", inProcess, inProcess.cpuMsPerRequest),
      loadRow("LocalGraphQLDataSource", local, local.cpuMsPerRequest),
      ratioRow("InProcess ÷ Local", inProcess, local, inProcess.cpuMsPerRequest, local.cpuMsPerRequest),
    ]),
    "",
    `Throughput ratio InProcess ÷ Local: ${ratio(inProcess.rps / local.rps)}; CPU per request ${ratio(inProcess.cpuMsPerRequest / local.cpuMsPerRequest)}` +
      ` (rounds A B B A of ${options.durationMs / 2000} s; throughput ratio per pair: ${pairRatios.map(ratio).join(", ")}).`,
    "",
  );
}

const switchSection = (title: string, name: string, result: SwitchResult, pairs: number) => {
  const { on, off, pairRatios, cpuPairRatios, recorded } = result;
  out.push(title, "");
  out.push(
    table(LOAD_HEADERS, [loadRow(`${name} on`, on, on.cpuMsPerRequest), loadRow(`${name} off`, off, off.cpuMsPerRequest), ratioRow("on ÷ off", on, off, on.cpuMsPerRequest, off.cpuMsPerRequest)]),
    "",
    `${name}: CPU per request on ÷ off ${ratio3(on.cpuMsPerRequest / off.cpuMsPerRequest)} overall, median of pairs ${ratio3(median(cpuPairRatios))}` +
      ` (per pair: ${cpuPairRatios.map(ratio3).join(", ")}); throughput on ÷ off ${ratio3(on.rps / off.rps)}, median of pairs ${ratio3(median(pairRatios))}` +
      ` (per pair: ${pairRatios.map(ratio3).join(", ")}). ${pairs} pairs of ${options.durationMs / 2000} s rounds${recorded === undefined ? "" : `; ${recorded} requests counted while on`}.`,
    "",
  );
};
if (results.usageReporting) switchSection("2b. Usage reporting (the gateway's plugin) on vs off, in the monolith", "Usage reporting", results.usageReporting, options.usagePairs);
if (results.telemetry) {
  switchSection(
    "2c. Telemetry as shipped (no OTLP endpoint) vs none of it (TELEMETRY_OFF=all's parts), switched in the same monolith process",
    "Telemetry",
    results.telemetry,
    options.telemetryPairs,
  );
}

if (monolith || distributed) {
  out.push("3. Memory: resident set (VmRSS) of every process of the shape; V8 heap of the gateway process after a full GC", "");
  const rows: string[][] = [];
  const roles = (sample: MemorySample) => Object.keys(sample.rss);
  for (const [mode, result] of [["monolith", monolith], ["distributed", distributed]] as const) {
    if (!result) continue;
    const { afterWarmup, afterLoad } = result.memory;
    const all = [...new Set([...roles(afterWarmup), ...roles(afterLoad)])];
    for (const role of all) rows.push([`${mode}: ${role} RSS`, mib(afterWarmup.rss[role]), mib(afterLoad.rss[role])]);
    if (all.length > 1) rows.push([`${mode}: total RSS`, mib(afterWarmup.rssTotal), mib(afterLoad.rssTotal)]);
    rows.push([`${mode}: gateway heap used / total`, `${mib(afterWarmup.heapUsed)} / ${mib(afterWarmup.heapTotal)}`, `${mib(afterLoad.heapUsed)} / ${mib(afterLoad.heapTotal)}`]);
    rows.push([`${mode}: gateway external`, mib(afterWarmup.external), mib(afterLoad.external)]);
  }
  if (monolith && distributed) {
    rows.push([
      "distributed ÷ monolith, total RSS",
      ratio(distributed.memory.afterWarmup.rssTotal / monolith.memory.afterWarmup.rssTotal),
      ratio(distributed.memory.afterLoad.rssTotal / monolith.memory.afterLoad.rssTotal),
    ]);
  }
  out.push(table(["", "after warm-up", "after load"], rows), "");
}

if (results.sql) {
  out.push(`4. SQL statements per MyOrders request, monolith (${results.sql.database}; the outbox relay's polling left out)`, "");
  out.push(
    table(
      ["customer", "query", "orders", "invoiced", "statements", "by schema"],
      results.sql.rows.map((row) => [
        row.customer,
        row.query,
        String(row.orders),
        String(row.invoiced),
        String(row.statements),
        ["users", "orders", "inventory", "billing", "other"].filter((schema) => row.bySchema[schema]).map((schema) => `${schema} ${row.bySchema[schema]}`).join(", "),
      ]),
    ),
    "",
  );
}
out.push(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
console.log(out.join("\n"));

if (args.out) {
  // Relative to where npm was run from, not to this workspace.
  const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), args.out);
  writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
  progress(`figures written to ${file}`);
}
process.exit(0);
