import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "./cli.ts";
import { bench, e2eResults, monographLikeRepo, oneOwner, scrape, twoOwners, type TempRepo } from "./fixtures.test-support.ts";
import type { ExtractReport } from "./types.ts";

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const code = await main(args, { out: (text) => void (out += text), err: (text) => void (err += text), cwd, env });
  return { code, out, err };
}

/** A repository where orders passes every required item: stable history, green hybrid run, tracing, two owners, a bench within budget. */
function readyRepo(): { repo: TempRepo; args: string[] } {
  const repo = monographLikeRepo();
  repo.commit("Orders: an order has a note", { "apps/orders-subgraph/src/schema.graphql": `type OrdersThing @key(fields: "id") {\n  id: ID!\n  note: String\n}\n` }, 30);
  repo.commit("Billing: rounding of invoice totals", { "apps/billing-subgraph/src/service.ts": "export const billing = 2;\n" }, 10);
  repo.commit("Orders: faster totals", { "apps/orders-subgraph/src/service.ts": "export const orders = 2;\n" }, 5);
  repo.commit("CODEOWNERS", { CODEOWNERS: twoOwners }, 4);
  repo.write("test-artifacts/e2e-results.json", e2eResults("orders"));
  repo.write(".env.staging", "# staging\nOTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318\nOTEL_SERVICE_NAME=monograph-gateway\n");
  repo.write("bench-orders.json", JSON.stringify(bench("orders", 3)));
  repo.write("metrics.prom", scrape({ users: 900, inventory: 1100, orders: 1000, billing: 950 }));
  return { repo, args: ["extract-check", "orders", "--env-file", ".env.staging", "--bench", "bench-orders.json", "--metrics", "metrics.prom"] };
}

describe("monograph extract-check orders", () => {
  let repo: TempRepo;
  let args: string[];
  beforeEach(() => ({ repo, args } = readyRepo()));
  afterEach(() => repo.remove());

  it("when every required item holds, then it prints the six rows with their evidence and exits 0", async () => {
    const { code, out } = await cli(args, repo.root);
    expect(out).toMatch(/^Extraction readiness of orders: READY \(all 5 required items hold\)/);
    const rows = out.split("\n").filter((line) => /^\d\. /.test(line));
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatch(/^1\. Boundary stable .* PASS .*1 commit changed the contract since 90 days ago; none also changed another domain/);
    expect(rows[1]).toMatch(/^2\. Boundary tested .* PASS .*15 end-to-end tests passed with orders in its own process/);
    expect(rows[2]).toMatch(/^3\. Tracing in place .* PASS .*OTLP export configured/);
    expect(rows[3]).toMatch(/^4\. Owned .* PASS .*@monograph\/orders-team, @alice/);
    expect(rows[4]).toMatch(/^5\. Latency budget .* PASS .*the hop adds \+3\.0 ms at p99, \+2\.5 ms at p50, \+1\.2 ms CPU per request \(worst: MyOrders\): within the budget of 50 ms at p99/);
    expect(rows[5]).toMatch(/^6\. Load share .* INFO .*orders: 25\.3% of fetches, 25\.3% of fetch time; 1\.1x \/ 1\.1x the median other domain \(under 10x/);
    expect(out).toContain("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 (.env.staging)");
    expect(out).toContain("CODEOWNERS:3 /apps/orders-subgraph/ -> @monograph/orders-team @alice");
    expect(out).toMatch(/MyOrders: p50 12\.0 ms -> 14\.5 ms \(\+2\.5 ms\), p99 20\.0 ms -> 23\.0 ms \(\+3\.0 ms\), CPU\/request 6\.0 ms -> 7\.2 ms \(\+1\.2 ms\)/);
    expect(code).toBe(0);
  });

  it("when a cross-cutting commit is added to the history, then the boundary is not stable, the commit is listed, and it exits 1", async () => {
    expect((await cli(args, repo.root)).code).toBe(0);
    const sha = repo.commit("Orders and billing: orders.created carries the customer's email", {
      "apps/orders-subgraph/src/events.ts": `export const ORDER_CREATED = "orders.created"; // + email\n`,
      "apps/billing-subgraph/src/subscriptions.ts": `export const consumes = ["orders.created"]; // reads email\n`,
    });
    const { code, out } = await cli(args, repo.root);
    expect(out).toMatch(/^Extraction readiness of orders: NOT READY \(1 of 5 required items fail\)/);
    expect(out).toMatch(/1\. Boundary stable .* FAIL .*2 commits changed the contract since 90 days ago; 1 also changed another domain \(cross-cutting\)/);
    const today = new Date().toISOString().slice(0, 10);
    expect(out).toContain(`${sha} ${today} Orders and billing: orders.created carries the customer's email (also billing)`);
    expect(code).toBe(1);
  });

  it("when an owner is removed from CODEOWNERS, then it is not owned, and it exits 1", async () => {
    repo.commit("CODEOWNERS: alice moved teams", { CODEOWNERS: oneOwner });
    const { code, out } = await cli(args, repo.root);
    expect(out).toMatch(/4\. Owned .* FAIL .*1 owner for apps\/orders-subgraph\/ in CODEOWNERS; at least 2 needed/);
    expect(out).toContain("CODEOWNERS:3 /apps/orders-subgraph/ -> @monograph/orders-team");
    expect(code).toBe(1);
    // The threshold is configurable.
    expect((await cli([...args, "--min-owners", "1"], repo.root)).code).toBe(0);
  });

  it("when the cross-cutting commit is older than --since, then it does not count", async () => {
    repo.commit("Orders and billing together", { "apps/orders-subgraph/src/schema.graphql": "type OrdersThing { id: ID! }\n", "apps/billing-subgraph/src/service.ts": "export const billing = 3;\n" }, 3);
    expect((await cli(args, repo.root)).code).toBe(1);
    const { code, out } = await cli([...args, "--since", "2d"], repo.root);
    expect(out).toMatch(/1\. Boundary stable .* PASS .*0 commits changed the contract since 2 days ago/);
    expect(code).toBe(0);
  });

  it("when another domain's commit changes only its own code, then orders' boundary stays stable, and billing's own contract commits are billing's", async () => {
    repo.commit("Billing: invoices have a due date", { "apps/billing-subgraph/src/schema.graphql": "type BillingThing { id: ID! due: String }\n" });
    expect((await cli(args, repo.root)).code).toBe(0);
  });

  it("when the hybrid run with orders out failed, or there is none, then the boundary is not tested", async () => {
    repo.write("test-artifacts/e2e-results.json", e2eResults("orders", 2));
    let { code, out } = await cli(args, repo.root);
    expect(out).toMatch(/2\. Boundary tested .* FAIL .*the latest hybrid run with orders out failed \(2 failed on pglite\)/);
    expect(out).toContain("failed: the order-to-invoice flow in the hybrid shape (pglite) > when a customer places an order");
    expect(code).toBe(1);
    repo.write("test-artifacts/e2e-results.json", e2eResults("billing"));
    ({ code, out } = await cli(args, repo.root));
    expect(out).toMatch(/2\. Boundary tested .* FAIL .*no end-to-end run with orders alone in its own process/);
    expect(out).toContain("run: E2E_HYBRID_DOMAIN=orders");
    expect(code).toBe(1);
  });

  it("when the environment has no OTLP endpoint, or traces are given that never cross orders' boundary, then tracing is not in place", async () => {
    repo.write(".env.dev", "NODE_ENV=development\n");
    let { out } = await cli([...args, "--env-file", ".env.dev"], repo.root);
    expect(out).toMatch(/3\. Tracing in place .* FAIL .*no OpenTelemetry trace export configured \(\.env\.dev\)/);
    const span = (traceId: string, spanId: string, parentSpanId: string, name: string) => ({ traceId, spanId, parentSpanId, name });
    const resource = (service: string, spans: object[]) => ({ resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] }, scopeSpans: [{ spans }] });
    repo.write("gateway-only.json", JSON.stringify({ resourceSpans: [resource("monograph-gateway", [span("a1", "s1", "", "POST /graphql"), span("a1", "s2", "s1", "fetch inventory")])] }));
    ({ out } = await cli([...args, "--traces", "gateway-only.json"], repo.root));
    expect(out).toMatch(/3\. Tracing in place .* FAIL .*no trace crosses orders' boundary in gateway-only\.json/);
    // One export per line, as a file exporter writes them: the gateway's fetch is the parent of orders' span.
    repo.write(
      "crossing.jsonl",
      [JSON.stringify({ resourceSpans: [resource("monograph-gateway", [span("b2", "g1", "", "POST /graphql")])] }), JSON.stringify({ resourceSpans: [resource("orders-subgraph", [span("b2", "o1", "g1", "Query.order")])] })].join("\n"),
    );
    ({ out } = await cli([...args, "--traces", "crossing.jsonl"], repo.root));
    expect(out).toMatch(/3\. Tracing in place .* PASS .*OTLP export configured; 1 traces cross orders' boundary/);
    expect(out).toContain('trace b2: monograph-gateway "POST /graphql" -> orders-subgraph "Query.order"');
  });

  it("when the hop's p99 is over the budget, then the latency row fails, and --budget-p99-ms moves the line", async () => {
    repo.write("bench-orders.json", JSON.stringify(bench("orders", 80)));
    const { code, out } = await cli(args, repo.root);
    expect(out).toMatch(/5\. Latency budget .* FAIL .*\+80\.0 ms at p99, .* \(worst: MyOrders\): over the budget of 50 ms at p99/);
    expect(code).toBe(1);
    expect((await cli([...args, "--budget-p99-ms", "100"], repo.root)).code).toBe(0);
    // A measurement has every query together: the budget applies to that mix.
    repo.write("bench-orders.json", JSON.stringify(bench("orders", 80, true)));
    const mixed = await cli(args, repo.root);
    expect(mixed.out).toMatch(/5\. Latency budget .* PASS .*the hop adds \+40\.0 ms at p99, \+2\.0 ms at p50, \+0\.9 ms CPU per request \(all 2 queries\): within the budget of 50 ms at p99/);
    expect(mixed.out).toContain("all together: p50 10.0 ms -> 12.0 ms, p99 19.0 ms -> 59.0 ms, CPU/request 5.0 ms -> 5.9 ms");
    expect(mixed.code).toBe(0);
  });

  it("when orders takes ten times the median domain's fetches (scraped over HTTP), then the load share flags a reason to split, and the verdict does not change", async () => {
    const body = scrape({ users: 100, inventory: 120, orders: 2400, billing: 90 });
    const server = http.createServer((_request, response) => response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(body));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
      const { code, out } = await cli([...args, "--metrics", url], repo.root);
      expect(out).toMatch(/6\. Load share .* FLAG .*orders: 88\.6% of fetches, 88\.6% of fetch time; 24\.0x \/ 24\.0x the median other domain \(>= 10x: a reason to split\)/);
      expect(code).toBe(0);
    } finally {
      server.close();
    }
  });

  it("when the histogram has another name, then the load share says so, and --metrics-histogram reads it", async () => {
    repo.write("renamed.prom", scrape({ orders: 10, users: 10 }, "gateway_fetch_seconds"));
    let { out } = await cli([...args, "--metrics", "renamed.prom"], repo.root);
    expect(out).toMatch(/6\. Load share .* INFO .*no monograph_subgraph_fetch_duration_seconds samples in renamed\.prom/);
    ({ out } = await cli([...args, "--metrics", "renamed.prom", "--metrics-histogram", "gateway_fetch_seconds"], repo.root));
    expect(out).toMatch(/6\. Load share .* INFO .*orders: 50\.0% of fetches/);
  });

  it("with --format json, then it is one JSON report with the six rows, their verdicts and data", async () => {
    const { code, out } = await cli([...args, "--format", "json"], repo.root);
    const report = JSON.parse(out) as ExtractReport;
    expect(report).toMatchObject({ domain: "orders", ready: true });
    expect(report.rows.map((row) => [row.id, row.verdict, row.required])).toEqual([
      ["boundary-stable", "pass", true],
      ["boundary-tested", "pass", true],
      ["tracing", "pass", true],
      ["owned", "pass", true],
      ["latency-budget", "pass", true],
      ["load-share", "info", false],
    ]);
    expect(code).toBe(0);
  });

  it("with --format markdown, then it is a table of the six rows, pipes and angle brackets escaped", async () => {
    repo.commit("Orders | billing: both at once", { "apps/orders-subgraph/src/schema.graphql": "type OrdersThing { id: ID! }\n", "apps/billing-subgraph/src/service.ts": "export const billing = 9;\n" });
    const { code, out } = await cli([...args, "--format", "markdown"], repo.root);
    const lines = out.trim().split("\n");
    expect(lines[0]).toBe("### Extraction readiness of `orders`: NOT READY (1 of 5 required items fail)");
    expect(lines.slice(2, 4)).toEqual(["| # | Item | Verdict | Evidence |", "|---|---|---|---|"]);
    expect(lines.slice(4)).toHaveLength(6);
    expect(lines[4]).toMatch(/^\| 1 \| Boundary stable \| ❌ fail \| .*Orders \\\| billing: both at once/);
    expect(lines[6]).toContain("no traces source given (--traces &lt;OTLP JSON file&gt;)");
    expect(lines[9]).toMatch(/^\| 6 \| Load share \(a reason to split\) \(informational\) \| ℹ️ info \|/);
    expect(code).toBe(1);
  });
});

describe("misuse", () => {
  let repo: TempRepo;
  beforeEach(() => void (repo = monographLikeRepo()));
  afterEach(() => repo.remove());

  it.each([
    [["extract-check", "shipping", "--bench", "x.json"], /unknown domain "shipping"; the domains of .*: billing, inventory, orders, users/],
    [["extract-check", "orders", "--frobnicate"], /Unknown option '--frobnicate'/],
    [["extract-check", "orders", "--format", "yaml"], /--format yaml: expected table, json, markdown/],
    [["extract-check"], /which domain\?/],
    [["check", "orders"], /unknown command "check"/],
    [["extract-check", "orders", "--min-owners", "two"], /--min-owners two: expected a whole number >= 1/],
    [["extract-check", "orders", "--since", "last spring"], /--since last spring: expected a date/],
    [["extract-check", "orders", "--bench", "missing.json"], /--bench missing.json: cannot read it \(ENOENT\)/],
    [["extract-check", "orders", "--bench", "billing.json"], /--bench billing.json measured billing, not orders/],
  ])("when called with %j, then it explains and exits 2", async (args, message) => {
    writeFileSync(path.join(repo.root, "billing.json"), JSON.stringify(bench("billing", 1)));
    const { code, out, err } = await cli(args, repo.root);
    expect(err).toMatch(message);
    expect(out).toBe("");
    expect(code).toBe(2);
  });

  it("when run as a real process (the bin), then exit codes pass through: 2 on misuse, 0 on --help", () => {
    const bin = fileURLToPath(new URL("../bin/monograph.js", import.meta.url));
    const misuse = spawnSync(process.execPath, [bin, "extract-check", "shipping"], { cwd: repo.root, encoding: "utf8" });
    expect(misuse.stderr).toContain('unknown domain "shipping"');
    expect(misuse.status).toBe(2);
    const help = spawnSync(process.execPath, [bin, "--help"], { cwd: repo.root, encoding: "utf8" });
    expect(help.stdout).toContain("Usage: monograph extract-check <domain> [options]");
    expect(help.status).toBe(0);
  });
});
