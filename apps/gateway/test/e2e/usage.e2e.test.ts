// Issue 14's acceptance test, with real parts: the monolith on a fresh database, an operation no recording contains
// sent over HTTP by a named client, usage flushed to the database, then `monograph-schema check --usage` run as CI
// runs it (a child process) on a temporary copy of this repository where a branch removes a field that operation
// used. On PostgreSQL the check reads the database itself; on PGlite (one process at a time, in memory here) it
// reads the file `usage export` would write.
process.env.APOLLO_TELEMETRY_DISABLED = "true";

import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { testDatabaseKind } from "@monograph/db/testing";
import { composeSupergraph, exportUsage, REPO_ROOT, SUBGRAPHS, writeComposedFiles, type CheckReport } from "@monograph/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShape, type RunningShape } from "../support/shapes.ts";

const BIN = fileURLToPath(new URL("../../../../packages/schema/bin/monograph-schema.js", import.meta.url));
// Neither the developer's git configuration nor npm's variables may leak into the repository or the command.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_") && key !== "INIT_CWD" && !key.startsWith("GIT_")));
const GIT_ENV = { ...ENV, GIT_AUTHOR_NAME: "Test", GIT_AUTHOR_EMAIL: "test@example.com", GIT_COMMITTER_NAME: "Test", GIT_COMMITTER_EMAIL: "test@example.com", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };

const CLIENT = { name: "storefront-ios", version: "3.1.4" };
// Not in packages/schema/operations: only the gateway's traffic knows that a client selects Product.updatedAt.
const RECENTLY_CHANGED = "query RecentlyChanged { products(first: 3) { edges { node { sku updatedAt } } } }";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: ENV, encoding: "utf8" }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 2) : 0, stdout, stderr }));
  });
}

const git = (root: string, ...args: string[]) => execFileSync("git", args, { cwd: root, env: GIT_ENV, encoding: "utf8" });

/** Edits one subgraph's SDL in the copy (the edit must apply), recomposes the committed files, commits. */
function commitEdit(root: string, subgraph: string, from: string, to: string, message: string): void {
  const file = path.join(root, `apps/${subgraph}-subgraph/src/schema.graphql`);
  const sdl = readFileSync(file, "utf8");
  if (!sdl.includes(from)) throw new Error(`${subgraph}'s SDL has no ${JSON.stringify(from)}`);
  writeFileSync(file, sdl.replace(from, to));
  writeComposedFiles(root, composeSupergraph(SUBGRAPHS.map((s) => ({ name: s.name, typeDefs: readFileSync(path.join(root, s.sdlFile), "utf8") }))));
  git(root, "add", ".");
  git(root, "commit", "--quiet", "-m", message);
}

describe(`schema checks from real traffic (${testDatabaseKind()})`, () => {
  let running: RunningShape;
  let root: string;
  /** Outside the repository, as a CI artifact would be: commits on the branches must not pick it up. */
  let artifacts: string;
  /** What --usage is given: the database URL on PostgreSQL, an exported file on PGlite. */
  let usageSource: string;

  beforeAll(async () => {
    running = await startShape("monolith");
    const response = await fetch(running.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "apollographql-client-name": CLIENT.name, "apollographql-client-version": CLIENT.version },
      body: JSON.stringify({ query: RECENTLY_CHANGED }),
    });
    const body = (await response.json()) as { data?: { products: { edges: unknown[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.products.edges).toHaveLength(3);
    await running.gateway.usage!.flush();

    // A copy of this repository's schema sources, with main as it is now and a branch to change it on.
    root = mkdtempSync(path.join(tmpdir(), "monograph-usage-e2e-"));
    artifacts = mkdtempSync(path.join(tmpdir(), "monograph-usage-artifacts-"));
    for (const s of SUBGRAPHS) cpSync(path.join(REPO_ROOT, s.sdlFile), path.join(root, s.sdlFile));
    cpSync(path.join(REPO_ROOT, "packages/schema/operations"), path.join(root, "packages/schema/operations"), { recursive: true });
    writeComposedFiles(root, composeSupergraph(SUBGRAPHS.map((s) => ({ name: s.name, typeDefs: readFileSync(path.join(root, s.sdlFile), "utf8") }))));
    git(root, "init", "--quiet", "--initial-branch=main");
    git(root, "add", ".");
    git(root, "commit", "--quiet", "-m", "main");

    const target = running.gateway.db!.target;
    if (target.kind === "postgres") {
      usageSource = target.url;
    } else {
      const now = new Date();
      usageSource = path.join(artifacts, "usage.json");
      writeFileSync(usageSource, JSON.stringify(await exportUsage(running.gateway.db!.prisma, { from: new Date(now.getTime() - 30 * 86_400_000), to: now })));
    }
  });
  afterAll(async () => {
    await running?.stop();
    for (const dir of [root, artifacts]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("when a branch removes a field only observed traffic uses, then the check fails naming the client and operation; an approval lets it pass and is listed", async () => {
    git(root, "checkout", "--quiet", "-b", "drop-updated-at", "main");
    commitEdit(root, "inventory", "  updatedAt: DateTime!\n", "", "drop Product.updatedAt");

    // No recorded operation selects it: without traffic the removal passes, as before.
    const recordedOnly = await run(root, "check", "--root", root);
    expect(recordedOnly.code, recordedOnly.stdout + recordedOnly.stderr).toBe(0);
    expect(recordedOnly.stdout).toMatch(/breaking +Product\.updatedAt +- +passes \(unused\)/);

    const [failed, table] = await Promise.all([run(root, "check", "--root", root, "--usage", usageSource, "--format", "json"), run(root, "check", "--root", root, "--usage", usageSource)]);
    expect(failed.code, failed.stderr).toBe(1);
    const report = JSON.parse(failed.stdout) as CheckReport;
    expect(report.changes).toContainEqual(
      expect.objectContaining({
        coordinate: "Product.updatedAt",
        type: "FIELD_REMOVED",
        blocking: true,
        usedBy: [],
        observedBy: [expect.objectContaining({ client: CLIENT.name, version: CLIENT.version, operation: "RecentlyChanged", count: 1 })],
      }),
    );
    expect(report.usage.traffic?.clients).toContainEqual({ name: CLIENT.name, version: CLIENT.version, requests: 1 });
    expect(table.code).toBe(1);
    expect(table.stdout).toContain("storefront-ios 3.1.4: RecentlyChanged (1 request)");
    expect(table.stdout).toContain("Way forward:");

    mkdirSync(path.join(root, "packages/schema"), { recursive: true });
    writeFileSync(
      path.join(root, "packages/schema/schema-approvals.json"),
      JSON.stringify({ approvals: [{ coordinate: "Product.updatedAt", change: "FIELD_REMOVED", reason: "The iOS app stopped showing it in 3.2.", approvedBy: "alice" }] }),
    );
    const [approved, approvedTable] = await Promise.all([run(root, "check", "--root", root, "--usage", usageSource, "--format", "json"), run(root, "check", "--root", root, "--usage", usageSource)]);
    expect(approved.code, approved.stdout).toBe(0);
    const approvedReport = JSON.parse(approved.stdout) as CheckReport;
    expect(approvedReport.approvals.applied).toEqual([expect.objectContaining({ coordinate: "Product.updatedAt", approvedBy: "alice" })]);
    expect(approvedReport.changes.find((c) => c.coordinate === "Product.updatedAt")).toMatchObject({ blocking: false, approval: { approvedBy: "alice" } });
    expect(approvedTable.stdout).toContain("approved  Product.updatedAt FIELD_REMOVED, approved by alice: The iOS app stopped showing it in 3.2.");
    expect(approvedTable.stdout).toMatch(/Product\.updatedAt +storefront-ios 3\.1\.4: RecentlyChanged \(1 request\) +passes \(approved by alice\)/);
    rmSync(path.join(root, "packages/schema/schema-approvals.json"));
  }, 240_000);

  it("when a branch makes orders' Product key resolvable, then the check passes with observed traffic", async () => {
    git(root, "checkout", "--quiet", "-b", "resolvable", "main");
    commitEdit(root, "orders", '@key(fields: "sku", resolvable: false)', '@key(fields: "sku")', "orders resolves Product");
    const result = await run(root, "check", "--root", root, "--usage", usageSource, "--format", "json");
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as CheckReport;
    expect(report.changes).toEqual([expect.objectContaining({ coordinate: "Product", severity: "safe", type: "ENTITY_KEY_RESOLVABLE", subgraph: "orders" })]);
  }, 120_000);

  it.runIf(testDatabaseKind() === "postgres")("when usage export writes the window to a file, then the check reads the file as it reads the database", async () => {
    git(root, "checkout", "--quiet", "drop-updated-at");
    const file = path.join(artifacts, "exported.json");
    const exported = await run(root, "usage", "export", "--root", root, "--database", usageSource, "--window", "7d", "--out", file);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/Wrote \d+ operation signatures/);
    const fromFile = await run(root, "check", "--root", root, "--usage", file, "--format", "json");
    expect(fromFile.code).toBe(1);
    expect((JSON.parse(fromFile.stdout) as CheckReport).changes.find((c) => c.coordinate === "Product.updatedAt")?.observedBy).toEqual([
      expect.objectContaining({ client: CLIENT.name, operation: "RecentlyChanged", count: 1 }),
    ]);
  }, 120_000);
});
