import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { BUILT_NODE_FLAGS, GATEWAY_ENV, REMOTE_GATEWAY_NODE_FLAGS, REPO_ROOT } from "@monograph/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOMAIN_NAMES } from "@monograph/domains";
import { domainProcessEntry } from "../../src/distributed.ts";
import { BUILT_SCRIPTS, startEntry, type EntryProcess, type EntryShape } from "../support/entry-process.ts";
import { runMainFlow, type MainFlowResult } from "../support/main-flow.ts";

// Issue 11, item 1: `npm run build` compiles every workspace to JavaScript, and `npm run start:prod` /
// `start:distributed:prod` run it with plain node: no tsx, no TypeScript compiler, no .ts file in any process (the
// launcher's subgraph children included). Each shape is built (a Turborepo cache hit when CI built it already), started
// by its production script exactly as an operator runs it, taken through the main flow, and every module each of its
// processes loaded is recorded by a preloaded hook (test/support/record-loads.mjs) and checked.

const execFileAsync = promisify(execFile);
const RECORDER = fileURLToPath(new URL("../support/record-loads.mjs", import.meta.url));
const RECORDER_DIR = pathToFileURL(path.dirname(RECORDER)).href;
const REPO_URL = pathToFileURL(REPO_ROOT).href;
const TYPESCRIPT_TOOLING = /\/node_modules\/(tsx|typescript|esbuild|@esbuild|get-tsconfig)\//;

interface LoadRecord {
  pid: number;
  kind: "process" | "load" | "require" | "exit";
  url?: string;
  argv?: string[];
  execArgv?: string[];
}

const SCRIPTS = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts as Record<string, string>;

beforeAll(async () => {
  // The gateway and every workspace it depends on; turbo replays the cache when nothing changed.
  const turbo = path.join(REPO_ROOT, "node_modules", ".bin", "turbo");
  await execFileAsync(turbo, ["run", "build", "--filter=@monograph/gateway...", "--output-logs=errors-only"], { cwd: REPO_ROOT, timeout: 600_000 });
}, 620_000);

describe("the production scripts", () => {
  it("when an operator runs start:prod or start:distributed:prod, then it is plain node with the build's condition on a built entry point", () => {
    const flags = BUILT_NODE_FLAGS.join(" ");
    // Every gateway process with glibc's malloc arenas bounded (ADR 18).
    const gatewayEnv = Object.entries(GATEWAY_ENV).map(([name, value]) => `${name}=${value}`).join(" ");
    expect(SCRIPTS[BUILT_SCRIPTS.monolith]).toBe(`${gatewayEnv} node ${flags} apps/gateway/dist/main.js`);
    // The distributed launcher is a gateway with every subgraph remote: its heap sized for that (ADR 18).
    expect(SCRIPTS[BUILT_SCRIPTS.distributed]).toBe(`${gatewayEnv} node ${REMOTE_GATEWAY_NODE_FLAGS.join(" ")} ${flags} apps/gateway/dist/distributed-main.js`);
    for (const entry of ["apps/gateway/dist/main.js", "apps/gateway/dist/distributed-main.js", "apps/gateway/dist/migrate-main.js"]) {
      expect(existsSync(path.join(REPO_ROOT, entry)), `${entry} after npm run build`).toBe(true);
    }
  });

  it("when a built launcher forks a subgraph, then it forks the built generic runner with the build's flags, and a source launcher forks the sources through tsx", () => {
    expect(domainProcessEntry("orders", true)).toEqual({ execArgv: [...BUILT_NODE_FLAGS], file: path.join(REPO_ROOT, "apps/gateway/dist/run-domain.js"), args: ["orders"] });
    expect(domainProcessEntry("orders", false)).toEqual({ execArgv: ["--import", "tsx"], file: path.join(REPO_ROOT, "apps/gateway/src/run-domain.ts"), args: ["orders"] });
    expect(existsSync(domainProcessEntry("orders", true).file)).toBe(true);
  });
});

// A process per domain, each opening and migrating its own embedded database: with other work on the same two cores (a load
// average of 50 was seen), the distributed shape has taken more than four minutes to listen.
const LISTEN_WITHIN_MS = 540_000;

describe.each<EntryShape>(["monolith", "distributed"])("the %s shape, on the production build", (shape) => {
  const scratch = mkdtempSync(path.join(tmpdir(), `monograph-prod-${shape}-`));
  const recordFile = path.join(scratch, "loads.jsonl");
  let running: EntryProcess | undefined;
  let flow: MainFlowResult;
  let records: LoadRecord[] = [];

  beforeAll(async () => {
    running = await startEntry(shape, { built: true, listenWithinMs: LISTEN_WITHIN_MS, env: { NODE_OPTIONS: `--import=${RECORDER}`, LOAD_RECORD_FILE: recordFile } });
    flow = await runMainFlow(running.graphqlUrl, { requestIdPrefix: `prod-${shape}`, key: `prod-${shape}` });
    // Stopped before reading: each process writes its CommonJS modules at exit.
    await running.stop();
    records = readFileSync(recordFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LoadRecord);
  }, LISTEN_WITHIN_MS + 120_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** The node processes of the shape: the gateway (or launcher) and, distributed, its subgraph children (not npm). */
  const shapeProcesses = () => records.filter((record) => record.kind === "process" && record.argv?.some((arg) => arg.includes(`${path.sep}dist${path.sep}`)));

  it("when the main flow runs against it, then it is served: an order placed, invoiced and paid", () => {
    expect(flow.orderId).toBeTruthy();
    expect(flow.invoiceId).toBeTruthy();
    expect(flow.requests.every((request) => request.status === 200)).toBe(true);
  });

  it("when it runs, then every process is plain node on a built entry point, started with the build's condition and no tsx", () => {
    const processes = shapeProcesses();
    const entries = processes.map((record) => [path.relative(REPO_ROOT, record.argv![1]!), ...record.argv!.slice(2)].join(" ")).sort();
    expect(entries).toEqual(
      shape === "monolith"
        ? ["apps/gateway/dist/main.js"]
        : ["apps/gateway/dist/distributed-main.js", ...DOMAIN_NAMES.map((name) => `apps/gateway/dist/run-domain.js ${name}`)].sort(),
    );
    for (const record of processes) {
      expect(record.execArgv, record.argv![1]).toEqual(expect.arrayContaining([...BUILT_NODE_FLAGS]));
      expect(record.execArgv!.join(" "), record.argv![1]).not.toMatch(/tsx|loader|ts-node/);
      // Each stopped in order and wrote its CommonJS modules down: the check below saw all of them.
      expect(records.some((other) => other.pid === record.pid && other.kind === "exit"), `${record.argv![1]} wrote its modules at exit`).toBe(true);
      // The heap sized for a gateway with every subgraph remote is the launcher's alone: its children run domains.
      const remoteGateway = record.argv![1]!.endsWith("distributed-main.js");
      for (const flag of REMOTE_GATEWAY_NODE_FLAGS) expect(record.execArgv!.includes(flag), `${record.argv![1]} ${flag}`).toBe(remoteGateway);
    }
  });

  it("when it runs, then no process loads tsx, TypeScript or esbuild, and every file of the repository it loads is built JavaScript in a dist folder", () => {
    const pids = new Set(shapeProcesses().map((record) => record.pid));
    const loaded = [...new Set(records.filter((record) => pids.has(record.pid) && record.url).map((record) => record.url!))];
    // It did record: the gateway's own built files at least.
    // The gateway: its composition root (apps/gateway) and its library (packages/gateway), both built.
    expect(loaded.filter((url) => /\/(apps|packages)\/gateway\/dist\//.test(url)).length).toBeGreaterThan(10);
    expect(loaded.filter((url) => TYPESCRIPT_TOOLING.test(url))).toEqual([]);
    const ownFiles = loaded.filter((url) => url.startsWith(`${REPO_URL}/`) && !url.includes("/node_modules/") && !url.startsWith(RECORDER_DIR));
    expect(ownFiles.filter((url) => !/\/(apps|packages)\/[^/]+\/dist\/.+\.js$/.test(url))).toEqual([]);
    expect(loaded.filter((url) => /\.[cm]?ts$/.test(url))).toEqual([]);
  });
});
