// Temporary git repositories laid out like Monograph (apps/<name>-subgraph/src/...), with a history scripted commit
// by commit, and the saved inputs of the other rows: e2e results, an env file, CODEOWNERS, a bench, a scrape.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LatencyBench } from "./latency.ts";

export const DOMAINS = ["users", "inventory", "orders", "billing"] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TempRepo {
  root: string;
  /** Writes files (relative path -> content) and commits them, `daysAgo` days ago; returns the short sha. */
  commit(subject: string, files: Record<string, string>, daysAgo?: number): string;
  write(file: string, content: string): string;
  remove(): void;
}

export function tempRepo(): TempRepo {
  const root = mkdtempSync(path.join(tmpdir(), "extract-check-"));
  const git = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    execFileSync("git", args, { cwd: root, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: root, ...env }, stdio: ["ignore", "pipe", "pipe"] }).trim();
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.email", "dev@example.com"]);
  git(["config", "user.name", "Dev"]);
  git(["config", "commit.gpgsign", "false"]);
  const write = (file: string, content: string) => {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    return full;
  };
  return {
    root,
    write,
    commit(subject, files, daysAgo = 0) {
      for (const [file, content] of Object.entries(files)) write(file, content);
      const date = new Date(Date.now() - daysAgo * DAY_MS).toISOString();
      git(["add", "-A"]);
      git(["commit", "-q", "-m", subject], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
      return git(["rev-parse", "--short", "HEAD"]);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export const sdl = (name: string, field = "id: ID!") => `type ${name[0]!.toUpperCase()}${name.slice(1)}Thing @key(fields: "id") {\n  ${field}\n}\n`;

/** Four domains, created long before the window: the first commit touches them all (outside the 90 days). */
export function monographLikeRepo(): TempRepo {
  const repo = tempRepo();
  const files: Record<string, string> = { "README.md": "# app\n" };
  for (const name of DOMAINS) {
    files[`apps/${name}-subgraph/src/schema.graphql`] = sdl(name);
    files[`apps/${name}-subgraph/src/service.ts`] = `export const ${name} = 1;\n`;
    files[`apps/${name}-subgraph/package.json`] = `{ "name": "@x/${name}" }\n`;
  }
  files["apps/orders-subgraph/src/events.ts"] = `export const ORDER_CREATED = "orders.created";\n`;
  files["apps/billing-subgraph/src/subscriptions.ts"] = `export const consumes = ["orders.created"];\n`;
  repo.commit("Initial domains", files, 200);
  return repo;
}

export const twoOwners = "# Monograph\n* @monograph/platform-team\n/apps/orders-subgraph/ @monograph/orders-team @alice\n";
export const oneOwner = "# Monograph\n* @monograph/platform-team\n/apps/orders-subgraph/ @monograph/orders-team\n";

export function e2eResults(domain: string, failed = 0): string {
  return JSON.stringify({
    version: 1,
    runs: [
      { shape: "hybrid", domainsOut: ["inventory"], database: "pglite", passed: 15, failed: 0, skipped: 0, files: ["apps/gateway/test/e2e/api.e2e.test.ts"], failures: [], durationMs: 900, finishedAt: "2026-12-01T08:00:00.000Z" },
      {
        shape: "hybrid",
        domainsOut: [domain],
        database: "pglite",
        passed: 15 - failed,
        failed,
        skipped: 0,
        files: ["apps/gateway/test/e2e/api.e2e.test.ts", "apps/gateway/test/e2e/order-flow.e2e.test.ts"],
        failures: failed ? ["the order-to-invoice flow in the hybrid shape (pglite) > when a customer places an order"] : [],
        durationMs: 1200,
        finishedAt: "2026-12-01T09:00:00.000Z",
      },
    ],
  });
}

export function bench(domain: string, addedP99Ms: number, overall = false): LatencyBench {
  const figures = (p50Ms: number, p99Ms: number, cpuMsPerRequest: number) => ({ requests: 120, errors: 0, p50Ms, p99Ms, cpuMsPerRequest });
  return {
    version: 1,
    domain,
    measuredAt: "2026-12-01T09:00:00.000Z",
    shapes: ["monolith", `hybrid-${domain}`],
    rounds: 4,
    requestsPerRound: 30,
    connections: 1,
    operations: [
      { name: "MyOrders", client: "web", monolith: figures(12, 20, 6), hybrid: figures(14.5, 20 + addedP99Ms, 7.2) },
      { name: "Order", client: "web", monolith: figures(8, 12, 4), hybrid: figures(9, 13, 4.5) },
    ],
    ...(overall ? { overall: { monolith: figures(10, 19, 5), hybrid: figures(12, 19 + addedP99Ms / 2, 5.9) } } : {}),
    skipped: [{ name: "CreateOrder", reason: "a mutation: not sent, it changes data" }],
  };
}

/** A prom-client style scrape of the gateway's fetch histogram. */
export function scrape(counts: Record<string, number>, histogram = "monograph_subgraph_fetch_duration_seconds"): string {
  const lines = [`# HELP ${histogram} Duration of subgraph fetches.`, `# TYPE ${histogram} histogram`];
  for (const [subgraph, count] of Object.entries(counts)) {
    lines.push(`${histogram}_bucket{le="0.005",subgraph="${subgraph}",operation="MyOrders"} ${Math.floor(count / 2)}`);
    lines.push(`${histogram}_bucket{le="+Inf",subgraph="${subgraph}",operation="MyOrders"} ${count}`);
    lines.push(`${histogram}_sum{subgraph="${subgraph}",operation="MyOrders"} ${(count * 0.004).toFixed(3)}`);
    lines.push(`${histogram}_count{subgraph="${subgraph}",operation="MyOrders"} ${count}`);
  }
  lines.push("# TYPE process_cpu_seconds_total counter", "process_cpu_seconds_total 12.5");
  return `${lines.join("\n")}\n`;
}
