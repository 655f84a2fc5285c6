// The command as CI runs it: a child process against a temporary git repository with its own subgraphs.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { CheckReport } from "../src/check.ts";
import { writeComposedFiles } from "../src/committed.ts";
import { composeSupergraph } from "../src/compose.ts";
import { CATALOG, edit, REVIEWS } from "../src/fixtures.test-support.ts";
import { USAGE_FORMAT, type UsageExport } from "../src/usage.ts";

const BIN = fileURLToPath(new URL("../bin/monograph-schema.js", import.meta.url));
const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

// The developer's git configuration and npm's variables must not leak into the repositories or the command.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_") && key !== "INIT_CWD" && !key.startsWith("GIT_")));
const GIT_ENV = { ...ENV, GIT_AUTHOR_NAME: "Test", GIT_AUTHOR_EMAIL: "test@example.com", GIT_COMMITTER_NAME: "Test", GIT_COMMITTER_EMAIL: "test@example.com", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };

const git = (root: string, ...args: string[]): string => execFileSync("git", args, { cwd: root, env: GIT_ENV, encoding: "utf8" });

function write(root: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
}

const sdlFile = (name: string): string => `apps/${name}-subgraph/src/schema.graphql`;

/** Writes the subgraphs and recomposes the committed files, as a developer following the README would. */
function writeSubgraphs(root: string, subgraphs: Record<string, string>, { compose = true } = {}): void {
  write(root, Object.fromEntries(Object.entries(subgraphs).map(([name, sdl]) => [sdlFile(name), sdl])));
  if (compose) writeComposedFiles(root, composeSupergraph(Object.entries(subgraphs).map(([name, typeDefs]) => ({ name, typeDefs }))));
}

/** A repository whose main has catalog + reviews and one client's operations, checked out on a feature branch. */
function repository(): string {
  const root = mkdtempSync(path.join(tmpdir(), "monograph-schema-e2e-"));
  roots.push(root);
  git(root, "init", "--quiet", "--initial-branch=main");
  // The operations first: composing writes the manifest of persisted operations from them.
  write(root, {
    "packages/schema/operations/web/product.graphql": "query ProductPage($id: ID!) {\n  product(id: $id) { id name price reviews { rating } }\n}\n",
    "packages/schema/operations/web/search.graphql": 'query Search { search(term: "desk") { __typename ... on Product { id } } }\n',
  });
  writeSubgraphs(root, { catalog: CATALOG, reviews: REVIEWS });
  git(root, "add", ".");
  git(root, "commit", "--quiet", "-m", "main");
  git(root, "checkout", "--quiet", "-b", "feature");
  return root;
}

function commit(root: string, message: string): void {
  git(root, "add", ".");
  git(root, "commit", "--quiet", "-m", message);
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(root: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: root, env: ENV, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 2) : 0, stdout, stderr });
    });
  });
}

const check = (root: string, ...args: string[]): Promise<Run> => run(root, "check", "--root", root, "--discover", ...args);
const json = (result: Run): CheckReport => JSON.parse(result.stdout) as CheckReport;

describe.concurrent("monograph-schema check", () => {
  it("when the branch adds a field and recomposes, then it exits 0 and reports the safe change in a table", async () => {
    const root = repository();
    writeSubgraphs(root, { catalog: edit(CATALOG, "  price: Int\n", "  price: Int\n  weightGrams: Int\n"), reviews: REVIEWS });
    commit(root, "add weight");
    const result = await check(root);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Schema check: passed/);
    expect(result.stdout).toContain("baseline   merge base of HEAD and main");
    expect(result.stdout).toMatch(/safe +Product\.weightGrams/);
    expect(result.stdout).toContain("Operations: ok (2 operations of 1 client: web)");
  });

  it("when a breaking change hits a field a recorded operation uses, then it exits 1 naming the operation (json)", async () => {
    const root = repository();
    writeSubgraphs(root, { catalog: edit(CATALOG, "  price: Int\n", "  price: String\n"), reviews: REVIEWS });
    commit(root, "price as text");
    const result = await check(root, "--format", "json");
    expect(result.code).toBe(1);
    const report = json(result);
    expect(report.ok).toBe(false);
    expect(report.changes).toContainEqual(
      expect.objectContaining({ severity: "breaking", coordinate: "Product.price", blocking: true, usedBy: [{ client: "web", operation: "ProductPage", file: "packages/schema/operations/web/product.graphql" }] }),
    );
    expect(report.failures.join("\n")).toContain("used by web/ProductPage");
  });

  it("when a breaking change touches nothing recorded, then it exits 0 and still reports it; --fail-on-unused-breaking makes it 1", async () => {
    const root = repository();
    writeSubgraphs(root, { catalog: edit(CATALOG, '  legacyCode: String @deprecated(reason: "Use id.")\n', ""), reviews: REVIEWS });
    commit(root, "drop legacyCode");
    const lenient = await check(root);
    expect(lenient.code, lenient.stdout).toBe(0);
    expect(lenient.stdout).toMatch(/breaking +Product\.legacyCode +- +passes \(unused\)/);
    const strict = await check(root, "--fail-on-unused-breaking");
    expect(strict.code).toBe(1);
  });

  it("when an operation no longer validates, then it exits 1 naming the client, the file and why", async () => {
    const root = repository();
    writeSubgraphs(root, { catalog: CATALOG, reviews: edit(REVIEWS, "  rating: Int\n", "") });
    commit(root, "drop rating");
    const result = await check(root);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('web/ProductPage (packages/schema/operations/web/product.graphql): Cannot query field "rating" on type "Review"');
  });

  it("when the subgraphs do not compose, then it exits 1 naming the subgraphs and Apollo's code (table, json, markdown)", async () => {
    const root = repository();
    writeSubgraphs(root, { catalog: CATALOG, reviews: edit(REVIEWS, "  reviews: [Review!]!\n", "  reviews: [Review!]!\n  name: String! @shareable\n") }, { compose: false });
    const [table, machine, markdown] = await Promise.all([check(root), check(root, "--format", "json"), check(root, "--format", "markdown")]);
    expect([table.code, machine.code, markdown.code]).toEqual([1, 1, 1]);
    expect(table.stdout).toContain("[catalog, reviews] INVALID_FIELD_SHARING");
    expect(json(machine).composition).toMatchObject({ ok: false, errors: [{ code: "INVALID_FIELD_SHARING", subgraphs: ["catalog", "reviews"] }] });
    expect(markdown.stdout).toMatch(/^### ❌ Schema check failed/);
    expect(markdown.stdout).toContain("| Composition | ❌ 1 error(s) |");
  });

  it("when an SDL changes without npm run schema:compose, then it exits 1 for drift; --no-drift skips that check", async () => {
    const root = repository();
    writeSubgraphs(root, { catalog: edit(CATALOG, "  price: Int\n", "  price: Int\n  weightGrams: Int\n"), reviews: REVIEWS }, { compose: false });
    const drifted = await check(root, "--format", "json");
    expect(drifted.code).toBe(1);
    expect(json(drifted).drift).toMatchObject({ checked: true, ok: false, files: [{ file: "packages/schema/supergraph.graphql", status: "stale" }, { file: "packages/schema/api-schema.graphql", status: "stale" }, { file: "packages/schema/persisted-operations.json", status: "up-to-date" }] });
    expect(json(drifted).failures[0]).toContain("Run npm run schema:compose");
    const skipped = await check(root, "--no-drift");
    expect(skipped.code, skipped.stdout).toBe(0);
  });

  it("when a client records an operation without npm run schema:compose, then it exits 1: the safelist manifest is stale", async () => {
    const root = repository();
    write(root, { "packages/schema/operations/web/products.graphql": "query Products { products { id name } }\n" });
    const drifted = await check(root, "--format", "json");
    expect(drifted.code).toBe(1);
    expect(json(drifted).drift.files).toContainEqual(expect.objectContaining({ file: "packages/schema/persisted-operations.json", status: "stale" }));
    expect(json(drifted).failures).toEqual([expect.stringContaining("packages/schema/persisted-operations.json is stale (the recorded operations changed; the gateway's safelist is this file)")]);
    expect(json(drifted).failures[0]).toContain("Run npm run schema:compose and commit the result.");
    expect((await run(root, "compose", "--root", root, "--discover")).code).toBe(0);
    expect((await check(root)).code).toBe(0);
  });

  it("when compose runs, then it writes the files the check compares with", async () => {
    const root = repository();
    writeSubgraphs(root, { catalog: edit(CATALOG, "  price: Int\n", "  price: Int\n  weightGrams: Int\n"), reviews: REVIEWS }, { compose: false });
    const composed = await run(root, "compose", "--root", root, "--discover");
    expect(composed.code, composed.stderr).toBe(0);
    expect(composed.stdout).toContain("wrote packages/schema/supergraph.graphql, packages/schema/api-schema.graphql and packages/schema/persisted-operations.json");
    expect((await check(root)).code).toBe(0);
  });

  it("when a subgraph did not exist at the base, then its types are safe additions", async () => {
    const root = repository();
    writeSubgraphs(root, { catalog: CATALOG, reviews: REVIEWS, shipping: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Product @key(fields: "id") { id: ID! shippingCents: Int }\n` });
    commit(root, "shipping");
    const report = json(await check(root, "--format", "json"));
    expect(report.ok).toBe(true);
    expect(report.subgraphs.map((s) => s.name)).toEqual(["catalog", "reviews", "shipping"]);
    expect(report.baseline.subgraphs).toEqual(["catalog", "reviews"]);
    expect(report.changes).toContainEqual(expect.objectContaining({ coordinate: "Product.shippingCents", severity: "safe" }));
  });

  it("when run on main, then it compares with HEAD's first parent; --base and --base-file pick another baseline", async () => {
    const root = repository();
    git(root, "checkout", "--quiet", "main");
    writeSubgraphs(root, { catalog: edit(CATALOG, "  price: Int\n", ""), reviews: REVIEWS });
    commit(root, "drop price on main");
    const onMain = json(await check(root, "--format", "json"));
    expect(onMain.baseline.description).toMatch(/^HEAD's first parent .*HEAD is on main/);
    expect(onMain.changes).toContainEqual(expect.objectContaining({ coordinate: "Product.price", blocking: true }));

    const againstHead = json(await check(root, "--format", "json", "--base", "HEAD"));
    expect(againstHead.changes).toEqual([]);

    write(root, { "old-api.graphql": "type Query { product(id: ID!): Product } type Product { id: ID! name: String! price: Int }" });
    const fromFile = json(await check(root, "--format", "json", "--base-file", path.join(root, "old-api.graphql")));
    expect(fromFile.baseline.kind).toBe("file");
    expect(fromFile.changes).toContainEqual(expect.objectContaining({ coordinate: "Product.price", blocking: true }));
  });

  it("when the command is misused, then it exits 2 with the usage; --help exits 0", async () => {
    const root = repository();
    const results = await Promise.all([
      check(root, "--colour"),
      check(root, "--format", "xml"),
      check(root, "--base", "no-such-ref"),
      check(root, "--base", "main", "--base-file", "x.graphql"),
      run(root, "deploy"),
      run(root, "compose", "--format", "json"),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain("Usage: monograph-schema");
    }
    expect(results[2]!.stderr).toContain("--base no-such-ref is not a commit");
    const help = await run(root, "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Exit codes: 0 passed, 1 a check failed");
  });
});

// One at a time, after the others: each runs the command several times, and the machine has two cores.
describe("monograph-schema check with usage and approvals", { timeout: 180_000 }, () => {
  it("when --usage names an exported file, then traffic that uses a removed field fails the check; --exclude-client and --min-count leave it out", async () => {
    const root = repository();
    writeSubgraphs(root, { catalog: edit(CATALOG, '  legacyCode: String @deprecated(reason: "Use id.")\n', ""), reviews: REVIEWS });
    commit(root, "drop legacyCode");
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    const usage: UsageExport = {
      format: USAGE_FORMAT,
      exportedAt: new Date().toISOString(),
      window: { from: hour, to: new Date().toISOString() },
      operations: [
        {
          signature: "abc",
          name: "LegacyLookup",
          kind: "query",
          coordinates: ["Query", "Query.product", "Product", "Product.legacyCode"],
          viaVariables: {},
          clients: [{ name: "ios", version: "2.3.1", buckets: [{ start: hour, count: 42 }] }],
        },
      ],
    };
    const file = path.join(mkdtempSync(path.join(tmpdir(), "monograph-usage-")), "usage.json");
    roots.push(path.dirname(file));
    writeFileSync(file, JSON.stringify(usage));
    const [failed, markdown] = await Promise.all([check(root, "--usage", file), check(root, "--usage", file, "--format", "markdown")]);
    const [excluded, rare] = await Promise.all([check(root, "--usage", file, "--exclude-client", "ios"), check(root, "--usage", file, "--min-count", "100", "--window", "2h")]);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout).toMatch(/breaking +Product\.legacyCode +ios 2\.3\.1: LegacyLookup \(42 requests\) +fails/);
    expect(markdown.stdout).toContain("ios 2.3.1: LegacyLookup (42 requests)");
    expect(markdown.stdout).toContain("| Usage | 2 recorded operations; traffic from file");
    expect(excluded.code, excluded.stdout).toBe(0);
    expect(excluded.stdout).toContain("excluding ios");
    expect(rare.code, rare.stdout).toBe(0);
  });

  it("when the usage options are misused, then it exits 2 saying what is wrong", async () => {
    const root = repository();
    const results = await Promise.all([check(root, "--window", "30days"), check(root, "--min-count", "0"), check(root, "--usage", "no-such-usage.json")]);
    results.push(...(await Promise.all([run(root, "usage"), run(root, "usage", "export", "--format", "json")])));
    for (const result of results) expect(result.code, result.stderr).toBe(2);
    expect(results.map((r) => r.stderr.split("\n")[0])).toEqual([
      "monograph-schema: --window must be a positive duration such as 30d, 12h, 2w or 90m, not \"30days\"",
      "monograph-schema: --min-count must be a whole number of at least 1, not \"0\"",
      expect.stringContaining("no-such-usage.json does not exist"),
      "monograph-schema: missing command: usage export",
      "monograph-schema: --format is not an option of usage export",
    ]);
  });

  it("when the approvals file is not valid, then it exits 2 naming the file and the approval", async () => {
    const root = repository();
    write(root, { "packages/schema/schema-approvals.json": JSON.stringify({ approvals: [{ coordinate: "Product.price", change: "FIELD_REMOVED", reason: "ok" }] }) });
    const result = await check(root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('schema-approvals.json: approval 1 needs a non-empty "approvedBy"');
  });

});
