import type { TelemetryPart } from "@monograph/telemetry";
import type { DataSourceKind } from "./data-source-switch.ts";

/**
 * What runs in a benchmark runner process:
 * - monolith: startShape("monolith"), every subgraph in this process (its data source can be switched);
 * - distributed: startShape("distributed"), this process is the gateway, every subgraph a child process;
 * - sql: the monolith with an onQuery counter (query logging costs time, so never during a timed run).
 */
export type RunnerMode = "monolith" | "distributed" | "sql";

/** Requests from the bench (main.ts) to its runner, over the IPC channel. */
export type RunnerRequest =
  | { type: "heap" }
  | { type: "data-source"; kind: DataSourceKind }
  | { type: "count"; counting: boolean }
  | { type: "usage"; enabled: boolean }
  | { type: "telemetry"; off: TelemetryPart[] }
  | { type: "stop" };

/** Messages from a runner to the bench. */
export type RunnerMessage =
  | { type: "ready"; graphqlUrl: string; database: string; subgraphPids: Record<string, number> }
  | { type: "failed"; error: string }
  | { type: "heap"; heapUsed: number; heapTotal: number; external: number; rss: number }
  | { type: "data-source"; kind: DataSourceKind; calls: Record<DataSourceKind, number> }
  | { type: "count"; statements: string[] }
  | { type: "usage"; enabled: boolean; recorded: number }
  /** `counted`: GraphQL requests the process's metrics have counted so far (they stop while metrics are off). */
  | { type: "telemetry"; off: TelemetryPart[]; counted: number }
  | { type: "stopped" };
