import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { UsageError, type CheckRow } from "./types.ts";

/** One shape's results, as apps/gateway/test/support/e2e-results-reporter.ts writes them. */
export interface E2eShapeResult {
  shape: string;
  domainsOut: string[];
  database: string;
  passed: number;
  failed: number;
  skipped: number;
  files: string[];
  failures: string[];
  durationMs: number;
  finishedAt: string;
}

export function readE2eResults(file: string): E2eShapeResult[] | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { runs?: E2eShapeResult[] };
    if (!Array.isArray(parsed.runs)) throw new Error("no runs array");
    return parsed.runs;
  } catch (error) {
    throw new UsageError(`${file}: not an e2e results file (${(error as Error).message})`);
  }
}

/**
 * Runs the end-to-end tests that exercise the hybrid shape with this domain in its own process (the API cases and
 * the order-to-invoice flow), in the repository this package belongs to. Its output goes to stderr, so that the
 * report on stdout stays clean. The suite's reporter writes the results file this check then reads.
 */
export function runHybridTests(repoRoot: string, domain: string, artifactsDir: string, log: (text: string) => void): number {
  const gateway = path.join(repoRoot, "apps", "gateway");
  const vitest = path.join(repoRoot, "node_modules", "vitest", "vitest.mjs");
  log(`Running the end-to-end suite with ${domain} in its own process (hybrid shape)...\n`);
  const result = spawnSync(process.execPath, [vitest, "run", "test/e2e/api.e2e.test.ts", "test/e2e/order-flow.e2e.test.ts", "-t", "in the hybrid shape"], {
    cwd: gateway,
    env: { ...process.env, E2E_HYBRID_DOMAIN: domain, TEST_ARTIFACTS_DIR: artifactsDir, APOLLO_TELEMETRY_DISABLED: "true" },
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  log(result.stdout ?? "");
  log(result.stderr ?? "");
  return result.status ?? 1;
}

export function checkBoundaryTested(domain: string, resultsFile: string, runs: E2eShapeResult[] | undefined, ranNow?: { exitCode: number }): CheckRow {
  const base = { id: "boundary-tested" as const, title: "Boundary tested", required: true };
  const how = `E2E_HYBRID_DOMAIN=${domain} npm test --workspace @monograph/gateway -- test/e2e, or --run-tests`;
  if (!runs) {
    return { ...base, verdict: "fail", summary: `no end-to-end results (${resultsFile})`, evidence: [`run: ${how}`], data: { resultsFile } };
  }
  const hybrid = runs
    .filter((run) => run.domainsOut.length === 1 && run.domainsOut[0] === domain && run.passed + run.failed > 0)
    .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
  const others = runs.filter((run) => run.domainsOut.includes(domain) && run.domainsOut.length > 1 && run.passed + run.failed > 0);
  const describe = (run: E2eShapeResult) =>
    `${run.shape} (${run.domainsOut.join(", ")} out, ${run.database}) ${run.finishedAt}: ${run.passed} passed, ${run.failed} failed, in ${run.files.map((file) => path.basename(file)).join(", ")}`;
  const evidence = [`results: ${resultsFile}${ranNow ? ` (written by this run: vitest exited ${ranNow.exitCode})` : ""}`, ...hybrid.map(describe), ...others.map((run) => `also: ${describe(run)}`)];
  const latest = hybrid[0];
  if (!latest) {
    return { ...base, verdict: "fail", summary: `no end-to-end run with ${domain} alone in its own process`, evidence: [...evidence, `run: ${how}`], data: { resultsFile, runs: [] } };
  }
  // Every database kind's latest run must be green: a failure on PostgreSQL is not made good by PGlite.
  const latestPerDatabase = hybrid.filter((run, index) => hybrid.findIndex((other) => other.database === run.database) === index);
  const red = latestPerDatabase.filter((run) => run.failed > 0);
  const data = { resultsFile, runs: hybrid };
  if (red.length > 0) {
    return {
      ...base,
      verdict: "fail",
      summary: `the latest hybrid run with ${domain} out failed (${red.map((run) => `${run.failed} failed on ${run.database}`).join(", ")})`,
      evidence: [...evidence, ...red.flatMap((run) => run.failures.slice(0, 5).map((name) => `failed: ${name}`))],
      data,
    };
  }
  const passed = latestPerDatabase.reduce((sum, run) => sum + run.passed, 0);
  return { ...base, verdict: "pass", summary: `${passed} end-to-end tests passed with ${domain} in its own process (${latestPerDatabase.map((run) => run.database).join(", ")})`, evidence, data };
}
