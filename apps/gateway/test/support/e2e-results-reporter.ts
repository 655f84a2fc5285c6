import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Reporter, TestModule } from "vitest/node";
import { remoteSubgraphsOf } from "./shape-domains.ts";

/**
 * Writes what the end-to-end suite proved, per runtime shape, to test-artifacts/e2e-results.json (or
 * $TEST_ARTIFACTS_DIR/e2e-results.json): which domains ran in processes of their own, how many tests passed and
 * failed, when. `monograph extract-check <domain>` reads it ("boundary tested"). A test belongs to the shape its
 * name states ("... in the hybrid shape ..."). Runs without end-to-end tests leave the file alone; a run replaces
 * the entries of the shapes (and database kind) it ran, and keeps the others.
 */
export interface E2eShapeResult {
  shape: string;
  /** The subgraphs that ran in processes of their own. */
  domainsOut: string[];
  database: "pglite" | "postgres";
  passed: number;
  failed: number;
  skipped: number;
  files: string[];
  failures: string[];
  durationMs: number;
  finishedAt: string;
}

export interface E2eResultsFile {
  version: 1;
  runs: E2eShapeResult[];
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const E2E_RESULTS_FILE = "e2e-results.json";

export function e2eResultsPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.TEST_ARTIFACTS_DIR ? path.resolve(env.TEST_ARTIFACTS_DIR) : path.join(REPO_ROOT, "test-artifacts");
  return path.join(dir, E2E_RESULTS_FILE);
}

const SHAPE_IN_NAME = /\bin the ([a-z][a-z-]*) shape\b/;

export default class E2eResultsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const byShape = new Map<string, E2eShapeResult>();
    const finishedAt = new Date().toISOString();
    const database = process.env.DATABASE_URL ? "postgres" : "pglite";
    for (const module of testModules) {
      if (!module.moduleId.includes(`${path.sep}test${path.sep}e2e${path.sep}`)) continue;
      const file = path.relative(REPO_ROOT, module.moduleId);
      for (const test of module.children.allTests()) {
        const shape = SHAPE_IN_NAME.exec(test.fullName)?.[1];
        const domainsOut = shape ? remoteSubgraphsOf(shape) : undefined;
        if (!shape || !domainsOut) continue;
        const entry = byShape.get(shape) ?? { shape, domainsOut: [...domainsOut], database, passed: 0, failed: 0, skipped: 0, files: [], failures: [], durationMs: 0, finishedAt } satisfies E2eShapeResult;
        byShape.set(shape, entry);
        const state = test.result().state;
        if (state === "passed") entry.passed += 1;
        else if (state === "failed") {
          entry.failed += 1;
          entry.failures.push(test.fullName);
        } else entry.skipped += 1;
        if (state !== "skipped" && !entry.files.includes(file)) entry.files.push(file);
        entry.durationMs += Math.round(test.diagnostic()?.duration ?? 0);
      }
    }
    const ran = [...byShape.values()].filter((entry) => entry.passed + entry.failed > 0);
    if (ran.length === 0) return;

    const target = e2eResultsPath();
    let previous: E2eShapeResult[] = [];
    try {
      const parsed = JSON.parse(readFileSync(target, "utf8")) as Partial<E2eResultsFile>;
      if (Array.isArray(parsed.runs)) previous = parsed.runs;
    } catch {
      // No file yet, or an unreadable one: start again.
    }
    const key = (entry: E2eShapeResult) => `${entry.domainsOut.join(",")}|${entry.shape}|${entry.database}`;
    const replaced = new Set(ran.map(key));
    const runs = [...previous.filter((entry) => !replaced.has(key(entry))), ...ran];
    mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ version: 1, runs } satisfies E2eResultsFile, null, 2)}\n`);
    renameSync(temporary, target);
  }
}
