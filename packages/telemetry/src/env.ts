import { z } from "zod";

/**
 * Telemetry's own settings, read once when the logger is created (before any app's env.ts runs, so that the
 * configuration errors themselves can be logged). The apps' config schemas validate the same variables and exit
 * on a bad value; here a bad value falls back to the default.
 */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const telemetryEnvSchema = z.object({
  /** Lowest level written. Default info. */
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  /** json (one object a line) or pretty (for people). Default: pretty when NODE_ENV is development, else json. */
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  /** Serves GET /metrics on this port (same HOST) instead of the service's own port. Default: unset. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

export interface LoggerSettings {
  level: LogLevel;
  format: "json" | "pretty";
}

export function loggerSettingsFrom(env: NodeJS.ProcessEnv): LoggerSettings {
  const level = telemetryEnvSchema.shape.LOG_LEVEL.safeParse(env.LOG_LEVEL);
  const format = telemetryEnvSchema.shape.LOG_FORMAT.safeParse(env.LOG_FORMAT);
  const development = (env.NODE_ENV ?? "development") === "development";
  return {
    level: (level.success && level.data) || "info",
    format: (format.success && format.data) || (development ? "pretty" : "json"),
  };
}

/**
 * FOR MEASURING THE COST OF TELEMETRY ONLY (docs/benchmarks.md, section 6): `TELEMETRY_OFF` lists parts of the
 * request-path telemetry that this process leaves out, comma-separated, or `all`:
 * - `context`: no request context (log lines lose `requestId`, subgraph calls do not send `x-request-id`);
 * - `metrics`: nothing is counted or timed (the HTTP, GraphQL, subgraph-fetch and SQL series stay at zero; no
 *   Node runtime metrics);
 * - `logs`: no access line per request;
 * - `sql`: the Prisma driver adapter is not wrapped (no SQL timing, no SQL spans).
 * Together they reproduce a process without observability for a side-by-side benchmark. Never for production.
 */
export type TelemetryPart = "context" | "metrics" | "logs" | "sql";
const TELEMETRY_PARTS: readonly TelemetryPart[] = ["context", "metrics", "logs", "sql"];

export function telemetryPartsOff(env: NodeJS.ProcessEnv): ReadonlySet<TelemetryPart> {
  const listed = (env.TELEMETRY_OFF ?? "").split(",").map((part) => part.trim()).filter(Boolean);
  if (listed.includes("all")) return new Set(TELEMETRY_PARTS);
  return new Set(TELEMETRY_PARTS.filter((part) => listed.includes(part)));
}

const partsOff = new Set(telemetryPartsOff(process.env));

/**
 * The parts of telemetry this process leaves out: TELEMETRY_OFF at start-up, checked on every request (so the
 * benchmark can switch them in one process, below). Node's runtime metrics follow TELEMETRY_OFF only.
 */
export const telemetryOff: ReadonlySet<TelemetryPart> = partsOff;

/**
 * FOR MEASURING ONLY (`npm run bench`'s observability section): leaves out `parts` from now on, in this process,
 * so that the same process serves rounds with and without telemetry. Two processes started alike differ by up to
 * 10 % in CPU per request on this machine (heap layout, JIT, their databases), more than the cost being measured.
 */
export function setTelemetryOffForMeasuring(parts: Iterable<TelemetryPart>): void {
  partsOff.clear();
  for (const part of parts) if (TELEMETRY_PARTS.includes(part)) partsOff.add(part);
}
