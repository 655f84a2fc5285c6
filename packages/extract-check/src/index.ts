// The public face of @monograph/extract-check: the CLI (bin/monograph.js) and the checks, for tools that want them in-process.
export { main, USAGE, type Io } from "./cli.ts";
export { formatReport, FORMATS, type Format } from "./report.ts";
export type { CheckRow, ExtractReport } from "./types.ts";
export { measureLatency, checkLatency, type LatencyBench } from "./latency.ts";
export { parsePrometheusText, type Sample } from "./prometheus.ts";
