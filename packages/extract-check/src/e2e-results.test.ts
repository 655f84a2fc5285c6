import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkBoundaryTested, readE2eResults } from "./boundary-tested.ts";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const REPORTER = path.join(REPO_ROOT, "apps/gateway/test/support/e2e-results-reporter.ts");
const VITEST = path.join(REPO_ROOT, "node_modules/vitest/vitest.mjs");

// The gateway's reporter, on a small suite named like the real one ("... in the hybrid shape ..."), run by vitest.
describe("the end-to-end results file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "e2e-results-"));
    mkdirSync(path.join(dir, "test", "e2e"), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const suite = (failing: boolean) =>
    writeFileSync(
      path.join(dir, "test", "e2e", "flow.e2e.test.ts"),
      [
        'describe.each(["monolith", "hybrid"])("the flow in the %s shape (pglite)", () => {',
        '  it("when a customer orders, then there is an invoice", () => expect(1).toBe(1));',
        `  it("when a customer pays, then the order is PAID", () => expect(${failing ? 2 : 1}).toBe(1));`,
        "});",
        'it("a test of no shape", () => expect(1).toBe(1));',
      ].join("\n"),
    );
  const vitest = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [VITEST, "run", "--root", dir, "--globals", "--reporter", "default", "--reporter", REPORTER], {
      cwd: REPO_ROOT,
      env: { ...process.env, TEST_ARTIFACTS_DIR: path.join(dir, "artifacts"), DATABASE_URL: "", ...env },
      encoding: "utf8",
    });

  it("when the suite runs with E2E_HYBRID_DOMAIN=users, then the file says users ran out of process, with its passes and failures; a green rerun replaces that entry only", () => {
    suite(true);
    expect(vitest({ E2E_HYBRID_DOMAIN: "users" }).status).toBe(1);
    const file = path.join(dir, "artifacts", "e2e-results.json");
    let runs = readE2eResults(file)!;
    expect(runs.map(({ shape, domainsOut, passed, failed, database }) => ({ shape, domainsOut, passed, failed, database }))).toEqual([
      { shape: "monolith", domainsOut: [], passed: 1, failed: 1, database: "pglite" },
      { shape: "hybrid", domainsOut: ["users"], passed: 1, failed: 1, database: "pglite" },
    ]);
    expect(runs[1]!.failures).toEqual(["the flow in the hybrid shape (pglite) > when a customer pays, then the order is PAID"]);
    expect(checkBoundaryTested("users", file, runs).verdict).toBe("fail");

    suite(false);
    expect(vitest({ E2E_HYBRID_DOMAIN: "billing" }).status).toBe(0);
    expect(vitest({ E2E_HYBRID_DOMAIN: "users" }).status).toBe(0);
    runs = readE2eResults(file)!;
    expect(runs.map((run) => `${run.shape}:${run.domainsOut.join(",")}:${run.passed}/${run.failed}`).sort()).toEqual(["hybrid:billing:2/0", "hybrid:users:2/0", "monolith::2/0"]);
    const row = checkBoundaryTested("users", file, runs);
    expect(row).toMatchObject({ verdict: "pass", summary: "2 end-to-end tests passed with users in its own process (pglite)" });
  }, 120_000);
});
