// Compares the monolith of two checkouts (or one checkout under two environments) under the same load, in one run:
// A B B A rounds, so that the machine's drift weighs on both alike; prints throughput and CPU per request, and
// the ratio B / A. For changes that must not cost throughput (issue 9: instrumentation with tracing off).
//
//   tsx bench/compare-trees.ts --a /path/to/base-checkout [--b <this checkout>] [--b-env OTEL_EXPORTER_OTLP_ENDPOINT=http://...] [--cpu-prof <dir>]
//
// Each side runs its own `apps/gateway/src/main.ts` (as `npm start` does) with NODE_ENV=production, on a fresh
// embedded database, stdout discarded. The load is bench/load.ts's, on MyOrders for a customer with 20 orders.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { treeCpuMs } from "@monograph/process-stats";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { graphqlClient } from "../test/support/client.ts";
import { MY_ORDERS, waitFor } from "../test/support/flow.ts";
import { runLoad, summarize } from "./load.ts";

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const { values: args } = parseArgs({
  options: {
    a: { type: "string" },
    b: { type: "string", default: HERE },
    "a-env": { type: "string", multiple: true, default: [] },
    "b-env": { type: "string", multiple: true, default: [] },
    round: { type: "string", default: "10" },
    pairs: { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    // V8 CPU profiles of each side's process, into <dir>/A and <dir>/B (bench/telemetry-share.ts reads them).
    "cpu-prof": { type: "string" },
  },
});
if (!args.a) {
  process.stderr.write("--a <checkout> is required\n");
  process.exit(2);
}
const progress = (message: string) => process.stderr.write(`[compare] ${message}\n`);

interface Side {
  name: "A" | "B";
  child: ChildProcess;
  graphqlUrl: string;
  token: string;
  scratch: string;
}

async function start(name: "A" | "B", root: string, extra: string[]): Promise<Side> {
  const scratch = mkdtempSync(path.join(tmpdir(), `monograph-compare-${name}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    JWT_SECRET: "compare-jwt-secret-0123456789abcdef",
    INTERNAL_SECRET: "compare-internal-secret-0123456789abcdef",
    PORT: "0",
    PGLITE_DATA_DIR: path.join(scratch, "pglite"),
    LOG_FORMAT: "json",
    APOLLO_TELEMETRY_DISABLED: "true",
    // The set-up signs in and places orders with ad-hoc documents, which production's safelist refuses.
    OPERATIONS: "open",
    ...Object.fromEntries(extra.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)])),
  };
  delete env.DATABASE_URL;
  // In production nothing seeds itself: the demo data the set-up signs in with is loaded first, as an operator would.
  const seeded = spawnSync(process.execPath, ["--import", "tsx", "prisma/seed.ts"], { cwd: root, env: { ...env, NODE_ENV: "development" }, stdio: ["ignore", "ignore", "inherit"] });
  if (seeded.status !== 0) throw new Error(`seeding side ${name}'s database failed`);
  const profile = args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args["cpu-prof"], name)}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", "apps/gateway/src/main.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  const onData = (chunk: Buffer) => (output += chunk.toString("utf8"));
  child.stdout!.on("data", onData);
  const graphqlUrl = await waitFor(`side ${name} to listen`, async () => /(http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(output)?.[1], 120_000);
  // From here on its stdout is read and dropped, as a log shipper would: writing it still costs the process.
  child.stdout!.off("data", onData);
  child.stdout!.resume();
  const api = graphqlClient(graphqlUrl);
  const alice = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;
  const token = (await api.ok(`mutation { signIn(input: { email: "${alice.email}", password: "${alice.password}" }) { token } }`)).signIn.token as string;
  for (let i = 0; i < 20; i += 1) {
    await api.ok(`mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }`, { input: { items: [{ sku: "KB-0001", quantity: 1 }, { sku: "MS-0001", quantity: 1 }], idempotencyKey: `compare-${i}` } }, token);
  }
  await waitFor("every invoice", async () => {
    const data = await api.ok(MY_ORDERS, {}, token);
    return data.me.orders.edges.length === 20 && data.me.orders.edges.every((edge: { node: { invoice: unknown } }) => edge.node.invoice);
  });
  return { name, child, graphqlUrl, token, scratch };
}

const round = Number(args.round) * 1000;
const connections = Number(args.connections);
const sides = [await start("A", path.resolve(args.a), args["a-env"]), await start("B", path.resolve(args.b), args["b-env"])];
try {
  for (const side of sides) {
    progress(`warming up ${side.name}`);
    await runLoad({ graphqlUrl: side.graphqlUrl, query: MY_ORDERS, token: side.token }, { connections, durationMs: 3_000 });
  }
  const totals = new Map<string, { requests: number; seconds: number; cpuMs: number; errors: number }>();
  const order = Array.from({ length: Number(args.pairs) }, (_, i) => (i % 2 === 0 ? [sides[0]!, sides[1]!] : [sides[1]!, sides[0]!])).flat();
  const pairRatios: number[] = [];
  let previous: { name: string; rps: number } | undefined;
  for (const side of order) {
    const cpuBefore = treeCpuMs(side.child.pid!);
    const result = await runLoad({ graphqlUrl: side.graphqlUrl, query: MY_ORDERS, token: side.token }, { connections, durationMs: round });
    const cpuMs = treeCpuMs(side.child.pid!) - cpuBefore;
    const summary = summarize([result]);
    progress(`${side.name}: ${summary.rps.toFixed(1)} req/s, ${(cpuMs / summary.requests).toFixed(2)} ms CPU/request, ${summary.errors} errors`);
    const total = totals.get(side.name) ?? { requests: 0, seconds: 0, cpuMs: 0, errors: 0 };
    totals.set(side.name, { requests: total.requests + summary.requests, seconds: total.seconds + summary.seconds, cpuMs: total.cpuMs + cpuMs, errors: total.errors + summary.errors });
    if (previous && previous.name !== side.name) {
      pairRatios.push(side.name === "B" ? summary.rps / previous.rps : previous.rps / summary.rps);
      previous = undefined;
    } else previous = { name: side.name, rps: summary.rps };
  }
  const a = totals.get("A")!;
  const b = totals.get("B")!;
  const rps = (side: typeof a) => side.requests / side.seconds;
  process.stdout.write(
    [
      `A ${args.a} ${args["a-env"].join(" ")}`,
      `B ${args.b} ${args["b-env"].join(" ")}`,
      `A: ${rps(a).toFixed(1)} req/s, ${(a.cpuMs / a.requests).toFixed(2)} ms CPU/request, ${a.errors} errors`,
      `B: ${rps(b).toFixed(1)} req/s, ${(b.cpuMs / b.requests).toFixed(2)} ms CPU/request, ${b.errors} errors`,
      `B / A throughput: ${(rps(b) / rps(a)).toFixed(3)} (per pair: ${pairRatios.map((ratio) => ratio.toFixed(3)).join(", ")})`,
      `B / A CPU per request: ${(b.cpuMs / b.requests / (a.cpuMs / a.requests)).toFixed(3)}`,
      "",
    ].join("\n"),
  );
} finally {
  for (const side of sides) {
    side.child.kill("SIGTERM");
    await new Promise((resolve) => (side.child.exitCode !== null ? resolve(undefined) : side.child.once("exit", resolve)));
    rmSync(side.scratch, { recursive: true, force: true });
  }
}
