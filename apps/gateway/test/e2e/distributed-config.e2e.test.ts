// `npm run start:distributed` on ports and a data folder of the operator's choosing (issue 11, item 5): the entry
// point as an operator starts it, over real HTTP, on embedded PGlite, every subgraph process on the port it was given
// and its database in <PGLITE_DATA_DIR>/<name>.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_NATS_URL, NatsJetStreamTransport } from "@monograph/events";
import { REPO_ROOT } from "@monograph/platform";
import { SUBGRAPH_NAMES } from "../../src/env.ts";
import { waitFor } from "../support/flow.ts";
import { parseLines } from "../support/entry-process.ts";
import { freePort } from "../support/ports.ts";
import { TEST_SECRETS } from "../support/shapes.ts";

const NAMES = SUBGRAPH_NAMES;
// Four tsx processes and a gateway on a loaded 2-core machine: start-up alone can take well over a minute.
const START_DEADLINE_MS = 240_000;

const status = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status;

describe("start:distributed with chosen ports and PGLITE_DATA_DIR", () => {
  const natsUrl = process.env.NATS_URL ?? DEFAULT_NATS_URL;
  const prefix = `ports_${randomBytes(5).toString("hex")}`;
  let dataDir = "";
  // Every module the launcher's own process (the gateway, every subgraph remote) resolved.
  let importsFile = "";
  const ports = {} as Record<(typeof NAMES)[number] | "gateway", number>;
  let child: ChildProcess;
  let output = "";

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "monograph-distributed-data-"));
    importsFile = path.join(mkdtempSync(path.join(tmpdir(), "monograph-distributed-imports-")), "imports.txt");
    for (const name of [...NAMES, "gateway"] as const) ports[name] = await freePort();
    const { DATABASE_URL: _url, METRICS_PORT: _metrics, ...inherited } = process.env;
    child = spawn(process.execPath, ["--import", "tsx", "--import", "./apps/gateway/test/support/record-imports.mjs", "apps/gateway/src/distributed-main.ts"], {
      cwd: REPO_ROOT,
      env: {
        ...inherited,
        RECORD_IMPORTS_FILE: importsFile,
        // The explorer's examples sign in with a demo account of the users domain: off, as in production.
        EXPLORER: "off",
        ...TEST_SECRETS,
        NODE_ENV: "test",
        LOG_FORMAT: "json",
        APOLLO_TELEMETRY_DISABLED: "true",
        NATS_URL: natsUrl,
        EVENTS_PREFIX: prefix,
        PGLITE_DATA_DIR: dataDir,
        PORT: String(ports.gateway),
        // A base port for all, and one overridden: both ways of choosing are exercised.
        SUBGRAPH_BASE_PORT: String(ports.users),
        // Every registered domain's <NAME>_PORT (the fifth and later ones too).
        ...Object.fromEntries(NAMES.map((name) => [`${name.toUpperCase()}_PORT`, String(ports[name])])),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    await waitFor(
      "the gateway and every subgraph process to be ready",
      async () => {
        if (child.exitCode !== null) throw new Error(`start:distributed exited with ${child.exitCode}`);
        for (const name of [...NAMES, "gateway"] as const) if ((await status(`http://127.0.0.1:${ports[name]}/ready`)) !== 200) return false;
        return true;
      },
      START_DEADLINE_MS,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${output.slice(-4_000)}`);
    });
  }, START_DEADLINE_MS + 30_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(killer);
    }
    await NatsJetStreamTransport.deleteStream({ servers: natsUrl, prefix }).catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (importsFile) rmSync(path.dirname(importsFile), { recursive: true, force: true });
  }, 60_000);

  it("serves every subgraph on the port it was given, with /health and /ready, and the gateway calls them there", async () => {
    for (const name of NAMES) {
      expect(await status(`http://127.0.0.1:${ports[name]}/health`)).toBe(200);
      expect(await status(`http://127.0.0.1:${ports[name]}/ready`)).toBe(200);
    }
    const announced = parseLines(output).find((line) => line.component === "gateway" && line.subgraphs)?.subgraphs;
    expect(announced).toEqual(Object.fromEntries(NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}`])));

    const response = await fetch(`http://127.0.0.1:${ports.gateway}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ products(first: 1) { edges { node { sku } } } }" }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ products: { edges: [] } });
  });

  it("loads, in the gateway's process, no domain code, no Prisma, no database driver and no explorer page (every subgraph is remote, the explorer off)", () => {
    const loaded = readFileSync(importsFile, "utf8").split("\n").filter(Boolean);
    // The recording works: the gateway's own modules and the registry are there.
    expect(loaded.some((url) => url.endsWith("/apps/gateway/src/monograph.ts"))).toBe(true);
    expect(loaded.some((url) => url.endsWith("/packages/domains/src/index.ts"))).toBe(true);
    const forbidden = loaded.filter((url) =>
      /\/apps\/[^/]+-subgraph\/|\/packages\/db\/src\/index\.ts$|\/generated\/prisma\/|\/node_modules\/(@prisma\/|\.prisma\/|@electric-sql\/pglite|pglite-prisma-adapter|pg\/|@graphql-yoga\/render-graphiql)|\/packages\/gateway\/src\/explorer\.ts$/.test(url),
    );
    expect([...new Set(forbidden)]).toEqual([]);
  });

  it("gives each subgraph process its own embedded database in <PGLITE_DATA_DIR>/<name>", () => {
    for (const name of NAMES) expect(existsSync(path.join(dataDir, name)), name).toBe(true);
    // ...and nothing else there: the gateway, with every subgraph remote, opens no database of its own.
    expect(readdirSync(dataDir).sort()).toEqual([...NAMES].sort());
  });
});

describe("start:distributed with ports that collide", () => {
  it("refuses to start, naming the variable, before any subgraph process starts", async () => {
    const { DATABASE_URL: _url, METRICS_PORT: _metrics, ...inherited } = process.env;
    const child = spawn(process.execPath, ["--import", "tsx", "apps/gateway/src/distributed-main.ts"], {
      cwd: REPO_ROOT,
      env: { ...inherited, ...TEST_SECRETS, NODE_ENV: "test", LOG_FORMAT: "json", APOLLO_TELEMETRY_DISABLED: "true", PORT: "4999", SUBGRAPH_BASE_PORT: "4998" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(output).toContain("INVENTORY_PORT: port 4999 of the inventory subgraph is also PORT (the gateway)'s");
    expect(output).not.toContain("serving http");
  }, START_DEADLINE_MS);
});
