import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkBoundaryStable } from "./boundary-stable.ts";
import { checkBoundaryTested, readE2eResults, runHybridTests } from "./boundary-tested.ts";
import { checkOwned } from "./codeowners.ts";
import { discoverDomains, loadConfig } from "./config.ts";
import { parseEnvFile } from "./env-file.ts";
import { checkLatency, measureLatency, type LatencyBench } from "./latency.ts";
import { checkLoadShare, loadByDomain } from "./load-share.ts";
import { planRecordedOperations } from "./operations.ts";
import { MetricsParseError, parsePrometheusText } from "./prometheus.ts";
import { FORMATS, formatReport, type Format } from "./report.ts";
import { checkTracing, parseOtlpJson, readTracingConfig } from "./tracing.ts";
import { UsageError, type CheckRow, type ExtractReport } from "./types.ts";

export const USAGE = `Usage: monograph extract-check <domain> [options]

Should this domain be extracted into a process of its own? One row per checklist item, with its evidence:
  1. Boundary stable  no commit since --since changed the domain's contract (schema.graphql, events.ts,
                      subscriptions.ts, its client interfaces) together with another domain's code
  2. Boundary tested  the end-to-end suite's latest run with the domain alone in its own process is green
  3. Tracing          OpenTelemetry OTLP export configured (and, with --traces, traces crossing the boundary)
  4. Owned            CODEOWNERS names at least --min-owners owners for the domain's folder
  5. Latency budget   the recorded queries that touch the domain, monolith vs hybrid: added p50/p99, CPU
                      (the budget applies to the p99 of all of them together)
  6. Load share       informational: the domain's share of subgraph fetches and time (>= 10x the median
                      other domain is a reason to split)

Options:
  --format <format>         table (default), json or markdown
  --root <dir>              repository to check; default: the git top level of the current directory
  --config <file>           settings; default: <root>/packages/extract-check/extract-check.config.json
  --since <when>            history window for row 1, as git reads it ("90 days ago", "2026-09-01", "90d")
  --run-tests               run the end-to-end tests with the domain out first (E2E_HYBRID_DOMAIN), in the
                            repository this command belongs to
  --e2e-results <file>      the suite's results; default: <root>/test-artifacts/e2e-results.json
  --env-file <file>         the environment being checked (KEY=value); default: this process's environment
  --traces <file>           exported OTLP JSON spans (one document, or one per line)
  --codeowners <file>       default: the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS
  --min-owners <n>          default 2
  --bench <file>            a saved latency result instead of measuring (see --save-bench)
  --save-bench <file>       write the latency measurement to a file
  --budget-p99-ms <ms>      the p99 latency the hop may add; default 50 (config: budgetP99Ms)
  --rounds <n>              latency: alternating rounds (default 8)
  --requests <n>            latency: requests per query, shape and round (default 15)
  --metrics <url|file>      the gateway's Prometheus metrics: a URL to scrape or a saved scrape
  --metrics-histogram <name> default monograph_subgraph_fetch_duration_seconds
  --metrics-label <label>   the histogram's subgraph label; default subgraph
  -h, --help                print this help

Exit codes: 0 every required item holds, 1 one does not, 2 bad usage or an internal error.
`;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const PACKAGE_REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const defaultIo = (): Io => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  // Under npm run, the command runs in this package's folder; paths typed by the user mean where npm was started.
  cwd: process.env["npm_package_name"] === "@monograph/extract-check" && process.env["INIT_CWD"] ? process.env["INIT_CWD"] : process.cwd(),
  env: process.env,
});

function positiveNumber(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!value.trim() || !Number.isFinite(number) || number < (integer ? 1 : 0) || (integer && !Number.isInteger(number))) {
    throw new UsageError(`${flag} ${value}: expected ${integer ? "a whole number >= 1" : "a number >= 0"}`);
  }
  return number;
}

/** git's --since, with a shorthand ("90d"); anything else must look like a date or "<n> <unit>s ago". */
export function normaliseSince(value: string): string {
  const short = /^(\d+)\s*([dwm])$/.exec(value.trim());
  if (short) return `${short[1]} ${{ d: "days", w: "weeks", m: "months" }[short[2] as "d" | "w" | "m"]} ago`;
  if (/^\d+ (day|week|month|year)s? ago$/.test(value.trim()) || /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) return value.trim();
  throw new UsageError(`--since ${value}: expected a date (2026-09-01), "<n> days ago" or <n>d`);
}

function readTextFile(flag: string, file: string, given: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`${flag} ${given}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`monograph: ${error.message}\n(monograph --help lists the options)\n`);
      return 2;
    }
    io.err(`monograph: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: "string" },
        root: { type: "string" },
        config: { type: "string" },
        since: { type: "string" },
        "run-tests": { type: "boolean" },
        "e2e-results": { type: "string" },
        "env-file": { type: "string" },
        traces: { type: "string" },
        codeowners: { type: "string" },
        "min-owners": { type: "string" },
        bench: { type: "string" },
        "save-bench": { type: "string" },
        "budget-p99-ms": { type: "string" },
        rounds: { type: "string" },
        requests: { type: "string" },
        metrics: { type: "string" },
        "metrics-histogram": { type: "string" },
        "metrics-label": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const [command, domainName, ...extra] = positionals;
  if (command !== "extract-check") throw new UsageError(command ? `unknown command "${command}"` : "no command");
  if (!domainName) throw new UsageError("which domain? monograph extract-check <domain>");
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const format = (values.format ?? "table") as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format ${values.format}: expected ${FORMATS.join(", ")}`);
  const resolve = (file: string) => path.resolve(io.cwd, file);

  let root: string;
  if (values.root) root = resolve(values.root);
  else {
    try {
      root = execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: io.cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      throw new UsageError(`${io.cwd} is not in a git repository (--root <dir>)`);
    }
  }
  if (!existsSync(root)) throw new UsageError(`--root ${values.root}: no such folder`);
  const config = loadConfig(root, values.config ? resolve(values.config) : undefined);
  const domains = discoverDomains(root, config);
  const domain = domains.find((one) => one.name === domainName);
  if (!domain) throw new UsageError(`unknown domain "${domainName}"; the domains of ${root}: ${domains.map((one) => one.name).join(", ") || "(none: no apps/<name>-subgraph/src/schema.graphql)"}`);

  const since = normaliseSince(values.since ?? config.since);
  const minOwners = positiveNumber("--min-owners", values["min-owners"], true) ?? config.minOwners;
  const budgetP99Ms = positiveNumber("--budget-p99-ms", values["budget-p99-ms"], false) ?? config.budgetP99Ms;
  const rounds = positiveNumber("--rounds", values.rounds, true) ?? config.latency.rounds;
  const requestsPerRound = positiveNumber("--requests", values.requests, true) ?? config.latency.requestsPerRound;
  const histogram = values["metrics-histogram"] ?? config.metrics.histogram;
  const label = values["metrics-label"] ?? config.metrics.label;
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(histogram)) throw new UsageError(`--metrics-histogram ${histogram}: not a metric name`);

  // Read every input first, so that a mistake in the command line is reported before anything slow starts.
  const envSource = values["env-file"] ? path.relative(io.cwd, resolve(values["env-file"])) || values["env-file"] : "this process's environment";
  const env = values["env-file"] ? parseEnvFile(readTextFile("--env-file", resolve(values["env-file"]), values["env-file"])) : io.env;
  let traces;
  if (values.traces) {
    try {
      traces = { file: values.traces, spans: parseOtlpJson(readTextFile("--traces", resolve(values.traces), values.traces)) };
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--traces ${values.traces}: not OTLP JSON (${(error as Error).message})`);
    }
  }
  let savedBench: LatencyBench | undefined;
  if (values.bench) {
    try {
      savedBench = JSON.parse(readTextFile("--bench", resolve(values.bench), values.bench)) as LatencyBench;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--bench ${values.bench}: not JSON (${(error as Error).message})`);
    }
    if (savedBench.version !== 1 || !Array.isArray(savedBench.operations)) throw new UsageError(`--bench ${values.bench}: not a saved extract-check latency result`);
    if (savedBench.domain !== domain.name) throw new UsageError(`--bench ${values.bench} measured ${savedBench.domain}, not ${domain.name}`);
  }
  const metricsText = values.metrics && !/^https?:\/\//.test(values.metrics) ? readTextFile("--metrics", resolve(values.metrics), values.metrics) : undefined;
  const codeowners = values.codeowners ? resolve(values.codeowners) : undefined;
  if (codeowners && !existsSync(codeowners)) throw new UsageError(`--codeowners ${values.codeowners}: no such file`);
  const resultsFile = values["e2e-results"] ? resolve(values["e2e-results"]) : path.join(root, config.e2eResults);

  const rows: CheckRow[] = [];
  rows.push(checkBoundaryStable(root, since, domain, domains));

  let ranNow: { exitCode: number } | undefined;
  if (values["run-tests"]) ranNow = { exitCode: runHybridTests(PACKAGE_REPO_ROOT, domain.name, path.dirname(resultsFile), io.err) };
  rows.push(checkBoundaryTested(domain.name, path.relative(io.cwd, resultsFile) || resultsFile, readE2eResults(resultsFile), ranNow));

  rows.push(checkTracing(domain.name, envSource, readTracingConfig(env), traces));
  rows.push(checkOwned(root, domain, minOwners, codeowners));

  if (savedBench) rows.push(checkLatency(domain.name, budgetP99Ms, values.bench!, savedBench));
  else {
    let bench: LatencyBench | undefined;
    let failure: string | undefined;
    try {
      const planned = planRecordedOperations(root, path.join(root, "packages/schema/supergraph.graphql"), path.join(root, "packages/schema/operations"));
      bench = await measureLatency({ domain: domain.name, operations: planned.operations, rounds, requestsPerRound, connections: config.latency.connections, log: (line) => io.err(`${line}\n`) });
      if (values["save-bench"]) writeFileSync(resolve(values["save-bench"]), `${JSON.stringify(bench, null, 2)}\n`);
    } catch (error) {
      failure = error instanceof Error ? error.message.split("\n")[0] : String(error);
    }
    rows.push(checkLatency(domain.name, budgetP99Ms, "measured now", bench, failure));
  }

  let loads;
  if (values.metrics) {
    try {
      loads = loadByDomain(parsePrometheusText(metricsText ?? (await scrape(values.metrics))), histogram, label);
    } catch (error) {
      if (error instanceof MetricsParseError) throw new UsageError(`--metrics ${values.metrics}: not the Prometheus text format (${error.message})`);
      rows.push({ ...checkLoadShare(domain.name, undefined, undefined, { histogram, label, flagRatio: config.metrics.flagRatio }), summary: `could not scrape ${values.metrics}: ${(error as Error).message}` });
    }
  }
  if (rows.length < 6) rows.push(checkLoadShare(domain.name, values.metrics, loads, { histogram, label, flagRatio: config.metrics.flagRatio }));

  const report: ExtractReport = { domain: domain.name, root, generatedAt: new Date().toISOString(), ready: rows.every((row) => !row.required || row.verdict === "pass"), rows };
  io.out(formatReport(report, format));
  return report.ready ? 0 : 1;
}
