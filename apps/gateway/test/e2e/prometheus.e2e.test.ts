import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "@monograph/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEntry, type EntryProcess, SHAPE_STARTUP_MS } from "../support/entry-process.ts";
import { waitFor } from "../support/flow.ts";
import { runMainFlow } from "../support/main-flow.ts";
import { freePort } from "../support/ports.ts";

// A real Prometheus (Debian's package) scrapes the distributed shape's gateway and its orders process on loopback,
// with the alert rules of deploy/observability loaded; after the main flow its HTTP API answers with the
// request counter and the outbox backlog series, as a dashboard would ask for them.
const PROMETHEUS = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].find((candidate) => existsSync(candidate));
if (!PROMETHEUS) {
  if (process.env.CI) throw new Error("prometheus is required in CI (apt-get install prometheus).");
  console.warn("[prometheus] Prometheus is not installed: skipping the scrape test (apt-get install prometheus).");
}

type Sample = { metric: Record<string, string>; value: [number, string] };

describe.skipIf(!PROMETHEUS)("a real Prometheus scraping the distributed shape", () => {
  let running: EntryProcess;
  let prometheus: ChildProcess | undefined;
  let prometheusUrl: string;
  let scratch: string;

  const query = async (promql: string): Promise<Sample[]> => {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; data: { result: Sample[] } };
    if (body.status !== "success") throw new Error(JSON.stringify(body));
    return body.data.result;
  };

  beforeAll(async () => {
    running = await startEntry("distributed");
    const orders = (await running.subgraphUrls()).orders!;
    scratch = mkdtempSync(path.join(tmpdir(), "monograph-prometheus-"));
    const hostOf = (url: string) => new URL(url).host;
    writeFileSync(
      path.join(scratch, "prometheus.yml"),
      [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        `rule_files: ["${path.join(REPO_ROOT, "deploy/observability/alerts.yml")}"]`,
        "scrape_configs:",
        `  - { job_name: monograph-gateway, static_configs: [{ targets: ["${hostOf(running.url)}"], labels: { service: gateway } }] }`,
        `  - { job_name: monograph-subgraphs, static_configs: [{ targets: ["${hostOf(orders)}"], labels: { service: orders } }] }`,
      ].join("\n"),
    );
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS!,
      [`--config.file=${path.join(scratch, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(scratch, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    await waitFor("Prometheus to be ready", async () => (await fetch(`${prometheusUrl}/-/ready`)).ok, 60_000);
    await runMainFlow(running.graphqlUrl, { requestIdPrefix: "prometheus", key: "prometheus" });
  }, SHAPE_STARTUP_MS);
  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once("exit", resolve));
      prometheus.kill("SIGTERM");
      await exited;
    }
    await running?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("when the main flow has run, then Prometheus has both targets up, the request counter by operation, and the outbox backlog", async () => {
    const up = await waitFor("both targets up", async () => {
      const result = await query("up");
      return result.length === 2 && result.every((sample) => sample.value[1] === "1") ? result : undefined;
    });
    expect(up.map((sample) => sample.metric.service).sort()).toEqual(["gateway", "orders"]);

    const myOrders = await waitFor("MyOrders in the request counter", async () => {
      const result = await query('monograph_graphql_requests_total{operation="MyOrders",type="query",outcome="success"}');
      return result.length > 0 && Number(result[0]!.value[1]) >= 2 ? result : undefined;
    });
    expect(myOrders[0]!.metric).toMatchObject({ job: "monograph-gateway", service: "gateway" });
    const mutations = await query('sum by (operation) (monograph_graphql_requests_total{type="mutation"})');
    expect(mutations.map((sample) => sample.metric.operation).sort()).toEqual(["CreateOrder", "PayInvoice", "SignIn"]);

    // Orders relays its outbox: the backlog series exists (0 once everything is delivered), with its age.
    const backlog = await waitFor("the outbox backlog series", async () => {
      const result = await query('monograph_outbox_backlog{source="orders"}');
      return result.length > 0 ? result : undefined;
    });
    expect(backlog[0]!.metric).toMatchObject({ service: "orders" });
    expect(Number(backlog[0]!.value[1])).toBeGreaterThanOrEqual(0);
    expect(await query('monograph_outbox_oldest_age_seconds{source="orders"}')).toHaveLength(1);

    // The gateway timed its fetches to each subgraph, and the orders process its SQL.
    const fetched = await query("sum by (subgraph) (monograph_subgraph_fetch_duration_seconds_count)");
    expect(fetched.map((sample) => sample.metric.subgraph).sort()).toEqual(["billing", "inventory", "orders", "users"]);
    expect((await query('monograph_db_query_duration_seconds_count{service="orders",statement="select"}')).length).toBe(1);
    // The alert rules loaded and evaluate.
    const rules = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as { data: { groups: { rules: { health: string }[] }[] } };
    expect(rules.data.groups.flatMap((group) => group.rules).every((rule) => rule.health !== "err")).toBe(true);
  });
});
