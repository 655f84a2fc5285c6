// One runtime shape of the API, in a process of its own, driven by the bench (main.ts) over IPC. A process per
// shape keeps each shape's memory figures free of what another left behind, and keeps the load generator (in the
// bench's process) off the gateway's event loop.
import { describeTarget } from "@monograph/db";
import { graphqlRequests, setTelemetryOffForMeasuring } from "@monograph/telemetry";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { loadGatewayConfig } from "../src/env.ts";
import { startMonograph } from "../src/monograph.ts";
import type { UsageReporter } from "../src/usage.ts";
import { startShape, TEST_SECRETS } from "../test/support/shapes.ts";
import { dataSourceCalls, switchingDataSource, useDataSource } from "./data-source-switch.ts";
import type { RunnerMessage, RunnerMode, RunnerRequest } from "./protocol.ts";

const mode = process.argv[2] as RunnerMode;
const send = (message: RunnerMessage) => process.send?.(message);

interface Running {
  graphqlUrl: string;
  database: string;
  subgraphPids: Record<string, number>;
  /** The monolith's usage reporting, which the bench switches on and off to measure what it costs. */
  usage?: UsageReporter;
  stop(): Promise<void>;
}

let counting = false;
const statements: string[] = [];

async function start(): Promise<Running> {
  if (mode === "monolith" || mode === "distributed") {
    const shape = await startShape(mode, {}, mode === "monolith" ? { inProcessDataSource: switchingDataSource } : {});
    return {
      graphqlUrl: shape.graphqlUrl,
      database: process.env.DATABASE_URL ? "PostgreSQL" : "PGlite",
      subgraphPids: Object.fromEntries([...shape.processes].map(([name, child]) => [name, child.child.pid!])),
      usage: shape.gateway.usage,
      stop: () => shape.stop(),
    };
  }
  if (mode === "sql") {
    // As in test/e2e/batching.e2e.test.ts: the monolith on a fresh database, every statement seen.
    const database: TestDatabase = await createTestDatabase();
    try {
      const running = await startMonograph({
        config: loadGatewayConfig({ ...TEST_SECRETS, NODE_ENV: "test", PORT: "0" }),
        database: database.target,
        seed: true,
        // The outbox relay polls and usage reporting flushes in the background; their statements belong to no request.
        onQuery: (sql) => void (counting && !/"outbox"|"usage"/.test(sql) && statements.push(sql)),
      });
      return {
        graphqlUrl: running.graphqlUrl,
        database: describeTarget(database.target),
        subgraphPids: {},
        stop: async () => {
          await running.stop();
          await database.drop();
        },
      };
    } catch (error) {
      await database.drop();
      throw error;
    }
  }
  throw new Error(`Unknown runner mode "${mode}": monolith, distributed or sql.`);
}

let running: Running | undefined;
let stopping: Promise<void> | undefined;
const stop = () =>
  (stopping ??= (async () => {
    await running?.stop();
    running = undefined;
  })());

// The bench gone (a crash, Ctrl-C): stop everything this process started, then leave.
process.on("disconnect", () => void stop().finally(() => process.exit()));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop().finally(() => process.exit()));

process.on("message", (request: RunnerRequest) => {
  void (async () => {
    switch (request.type) {
      case "heap": {
        // The live heap: what survives a full collection (the runner starts with --expose-gc).
        globalThis.gc?.();
        const usage = process.memoryUsage();
        send({ type: "heap", heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, rss: usage.rss });
        break;
      }
      case "data-source":
        useDataSource(request.kind);
        send({ type: "data-source", kind: request.kind, calls: dataSourceCalls() });
        break;
      case "count":
        if (request.counting) statements.length = 0;
        counting = request.counting;
        send({ type: "count", statements: request.counting ? [] : [...statements] });
        break;
      case "usage":
        if (running?.usage) running.usage.enabled = request.enabled;
        send({ type: "usage", enabled: request.enabled, recorded: running?.usage?.stats.recorded ?? 0 });
        break;
      case "telemetry": {
        setTelemetryOffForMeasuring(request.off);
        const counted = (await graphqlRequests.get()).values.reduce((sum, value) => sum + value.value, 0);
        send({ type: "telemetry", off: request.off, counted });
        break;
      }
      case "stop":
        await stop();
        send({ type: "stopped" });
        process.disconnect?.();
        break;
    }
  })();
});

try {
  running = await start();
  send({ type: "ready", graphqlUrl: running.graphqlUrl, database: running.database, subgraphPids: running.subgraphPids });
} catch (error) {
  send({ type: "failed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
}
