// npm run bench -- --workload gateways: the public graphql-gateways-benchmark workload (bench/gateways/workload.ts)
// through five setups, each in processes of its own, measured in alternating rounds in one run: stock
// @apollo/gateway over HTTP, stock in-process, startGateway in-process, startGateway over HTTP, and the same data
// as one plain schema. Every answer is checked against stock's; the run fails on the first that differs.
import { fork, type ChildProcess } from "node:child_process";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { treeCpuMs } from "@monograph/process-stats";
import { OVER_HTTP, SETUP_LABELS, SETUPS, type Setup, type SetupMessage } from "./protocol.ts";
import { QUERY } from "./workload.ts";

const USAGE = `Usage: npm run bench -- --workload gateways [options]     (from apps/gateway: npm run bench -- --workload gateways ...)

  --rounds <n>        rounds; each runs every setup once, alternating the order (A B C D E, E D C B A, ...) (default 2)
  --duration <s>      measured seconds per setup and round (default 5)
  --warmup <s>        unmeasured load per setup before the first round (default 3)
  --connections <n>   requests in flight at once (default 50, as the public benchmark)
  --only <list>       comma-separated setups: ${SETUPS.join(", ")} (default all; stock-http is the reference)
  --node-env <env>    NODE_ENV of every setup's processes (default development; production drops graphql-js's instanceOf checks)
  --cpu-prof <dir>    write V8 CPU profiles of every setup's process into <dir>/<setup>/ (node --cpu-prof, one file
                      per thread: the largest is the main thread; read it with npx tsx bench/gateways/profile-summary.ts <file>)
  --verbose           show the setups' logs
  -h, --help`;

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg, index, all) => arg !== "--workload" && all[index - 1] !== "--workload"),
  options: {
    rounds: { type: "string", default: "2" },
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    only: { type: "string", default: SETUPS.join(",") },
    "node-env": { type: "string", default: "development" },
    "cpu-prof": { type: "string" },
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
  rounds: Math.round(positive("rounds", args.rounds, 100)),
  durationMs: positive("duration", args.duration, 3600) * 1000,
  warmupMs: positive("warmup", args.warmup, 3600) * 1000,
  connections: Math.round(positive("connections", args.connections, 1000)),
  setups: args.only.split(",").filter(Boolean) as Setup[],
};
if (!options.setups.every((setup) => (SETUPS as readonly string[]).includes(setup)) || !options.setups.includes("stock-http")) {
  console.error(`--only takes setups among ${SETUPS.join(", ")}, and stock-http (the reference) among them.\n\n${USAGE}`);
  process.exit(2);
}
const progress = (message: string) => console.error(`[bench gateways] ${message}`);

// ---------------------------------------------------------------------------------------------------------------
// Processes.

interface Started {
  setup: Setup | "subgraphs";
  child: ChildProcess;
  ready: Extract<SetupMessage, { type: "ready" }>;
}
const children = new Set<ChildProcess>();
const stopAll = async () => {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          child.once("exit", () => (clearTimeout(timer), resolve()));
          if (child.connected) child.disconnect();
          else child.kill("SIGTERM");
        }),
    ),
  );
  children.clear();
};
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stopAll().finally(() => process.exit(130)));

async function startProcess(setup: Setup | "subgraphs", subgraphUrls?: Record<string, string>): Promise<Started> {
  const child = fork(fileURLToPath(new URL("./setup.ts", import.meta.url)), [setup, ...(subgraphUrls ? [JSON.stringify(subgraphUrls)] : [])], {
    execArgv: ["--import", "tsx", ...(args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${path.join(path.resolve(process.env.INIT_CWD ?? process.cwd(), args["cpu-prof"]), setup)}`] : [])],
    env: { ...process.env, NODE_ENV: args["node-env"] },
    stdio: ["ignore", args.verbose ? "inherit" : "ignore", args.verbose ? "inherit" : "pipe", "ipc"],
  });
  children.add(child);
  const lastError: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    lastError.push(text);
    if (lastError.length > 40) lastError.shift();
  });
  const ready = await new Promise<SetupMessage>((resolve) => {
    child.once("message", (message: SetupMessage) => resolve(message));
    child.once("exit", (code) => resolve({ type: "failed", error: `exited with ${code}\n${lastError.join("")}` }));
  });
  if (ready.type === "failed") throw new Error(`${setup} did not start: ${ready.error}`);
  return { setup, child, ready };
}

// ---------------------------------------------------------------------------------------------------------------
// Load, with every answer checked.

const body = Buffer.from(JSON.stringify({ query: QUERY, variables: {} }));

function post(agent: http.Agent, url: URL): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json", "content-length": body.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** JSON with every object's keys sorted: two answers are the same answer when these are equal. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1))) : inner,
  );

/** Checks answers against the reference: an identical text is one string comparison; another is parsed once. */
class AnswerCheck {
  private readonly accepted = new Set<string>();
  constructor(private readonly reference: string) {
    this.accepted.add(reference);
  }
  check(setup: Setup, status: number, text: string): void {
    if (this.accepted.has(text)) return;
    let same = false;
    try {
      same = status === 200 && canonical(JSON.parse(text)) === this.reference;
    } catch {
      same = false;
    }
    if (!same) throw new Error(`${setup} answered differently from stock (HTTP ${status}): ${text.slice(0, 500)}`);
    this.accepted.add(text);
  }
}

interface RoundResult {
  requests: number;
  elapsedMs: number;
  latencies: number[];
  cpuMs: number;
}

async function load(setup: Started, pids: number[], check: AnswerCheck, durationMs: number): Promise<RoundResult> {
  const url = new URL(setup.ready.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const cpuBefore = pids.reduce((sum, pid) => sum + treeCpuMs(pid), 0);
  const started = performance.now();
  const deadline = started + durationMs;
  const loop = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const { status, text } = await post(agent, url);
      check.check(setup.setup as Setup, status, text);
      latencies.push(performance.now() - sent);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, loop));
  } finally {
    agent.destroy();
  }
  const elapsedMs = performance.now() - started;
  return { requests: latencies.length, elapsedMs, latencies, cpuMs: pids.reduce((sum, pid) => sum + treeCpuMs(pid), 0) - cpuBefore };
}

/** Subgraph fetches of one query through a setup over HTTP: the subgraphs' process counts what it served. */
async function countFetches(subgraphs: Started, through: Started): Promise<number> {
  const ask = () =>
    new Promise<number>((resolve) => {
      subgraphs.child.once("message", (message: { fetches: number }) => resolve(message.fetches));
      subgraphs.child.send({ type: "fetches" });
    });
  const before = await ask();
  await post(new http.Agent(), new URL(through.ready.url));
  return (await ask()) - before;
}

// ---------------------------------------------------------------------------------------------------------------

const percentile = (sorted: number[], fraction: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? NaN;

try {
  const loadBefore = os.loadavg()[0]!;
  progress("starting the subgraphs' process and every setup…");
  const subgraphs = options.setups.some((setup) => OVER_HTTP.has(setup)) ? await startProcess("subgraphs") : undefined;
  const setups: Started[] = [];
  for (const setup of options.setups) setups.push(await startProcess(setup, OVER_HTTP.has(setup) ? subgraphs!.ready.urls : undefined));
  const pidsOf = (started: Started) => [started.child.pid!, ...(OVER_HTTP.has(started.setup as Setup) ? [subgraphs!.child.pid!] : [])];

  // The reference answer: stock over HTTP. Every answer of every setup, warm-up included, must be the same.
  const reference = await post(new http.Agent(), new URL(setups.find((started) => started.setup === "stock-http")!.ready.url));
  const parsed = JSON.parse(reference.text) as { data?: unknown; errors?: unknown };
  if (reference.status !== 200 || parsed.errors || !parsed.data) throw new Error(`stock's answer is not a clean one: ${reference.text.slice(0, 500)}`);
  const check = new AnswerCheck(canonical(parsed));
  const fetchesPerQuery = subgraphs ? await countFetches(subgraphs, setups.find((started) => started.setup === "stock-http")!) : undefined;
  progress(`stock's answer: ${(Buffer.byteLength(reference.text) / 1024).toFixed(1)} KB, ${fetchesPerQuery ?? "?"} subgraph fetches`);

  for (const started of setups) {
    progress(`${started.setup}: warm-up ${options.warmupMs / 1000} s`);
    await load(started, pidsOf(started), check, options.warmupMs);
  }
  const results = new Map<Setup, RoundResult[]>(options.setups.map((setup) => [setup, []]));
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? setups : [...setups].reverse();
    progress(`round ${round + 1} of ${options.rounds}: ${order.map((started) => started.setup).join(", ")} (${options.durationMs / 1000} s each)`);
    for (const started of order) results.get(started.setup as Setup)!.push(await load(started, pidsOf(started), check, options.durationMs));
  }
  const loadAfter = os.loadavg()[0]!;

  const summary = (rounds: RoundResult[]) => {
    const requests = rounds.reduce((sum, each) => sum + each.requests, 0);
    const seconds = rounds.reduce((sum, each) => sum + each.elapsedMs, 0) / 1000;
    const sorted = rounds.flatMap((each) => each.latencies).sort((a, b) => a - b);
    return { requests, rps: requests / seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), cpuMs: rounds.reduce((sum, each) => sum + each.cpuMs, 0) / requests };
  };
  const stockHttp = summary(results.get("stock-http")!);
  const cpus = os.cpus();
  const rows = options.setups.map((setup) => {
    const own = summary(results.get(setup)!);
    return [
      SETUP_LABELS[setup],
      own.rps.toFixed(0),
      `${own.p50.toFixed(1)} ms`,
      `${own.p99.toFixed(1)} ms`,
      `${own.cpuMs.toFixed(2)} ms`,
      `${(own.rps / stockHttp.rps).toFixed(2)}×`,
      `${(stockHttp.cpuMs / own.cpuMs).toFixed(2)}×`,
      String(own.requests),
    ];
  });
  const headers = ["setup", "req/s", "p50", "p99", "CPU/request", "throughput vs stock HTTP", "CPU efficiency vs stock HTTP", "requests"];
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => "| " + cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" | ") + " |";
  console.log(
    [
      `Gateways workload (graphql-gateways-benchmark, restated), ${new Date().toISOString()}: Node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "?"}`,
      `${options.connections} connections, ${options.rounds} rounds of ${options.durationMs / 1000} s per setup (alternating order), ${options.warmupMs / 1000} s warm-up each;` +
        ` NODE_ENV=${args["node-env"]}; answer ${(Buffer.byteLength(reference.text) / 1024).toFixed(1)} KB, ${fetchesPerQuery ?? "?"} subgraph fetches per query (stock's plan), every answer identical to stock's.`,
      `Load average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (the bench's own load included).`,
      "",
      line(headers),
      "|" + widths.map((width, column) => "-".repeat(width + 1) + (column === 0 ? "-" : ":")).join("|") + "|",
      ...rows.map(line),
      "",
      "CPU/request: CPU time of the setup's processes (the gateway, and for the HTTP setups the subgraphs' process) during its own rounds, per request.",
      "CPU efficiency vs stock HTTP: stock HTTP's CPU/request ÷ this setup's (higher is better). The load client's own CPU is not counted.",
      "Per round, requests/s: " +
        options.setups.map((setup) => `${setup} ${results.get(setup)!.map((each) => (each.requests / (each.elapsedMs / 1000)).toFixed(0)).join("/")}`).join(", "),
    ].join("\n"),
  );
  await stopAll();
  process.exit(0);
} catch (error) {
  await stopAll();
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
