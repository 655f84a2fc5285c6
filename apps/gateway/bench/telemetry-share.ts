// The share of a process's busy CPU time spent in observability code, from a V8 CPU profile (node --cpu-prof):
// each sample is charged to the first frame with a source URL above it (Node internals and native frames are
// charged to whoever called them: a `writeSync` to the logger that wrote the line). Observability code is
// packages/telemetry, the SQL wrapper (packages/db/src/instrument.ts), the gateway's telemetry.ts, prom-client and
// pino with its helpers. The work a wrapper runs (the SQL under observeSql, the fetch under the subgraph timer) stays
// with the code that does it. GC is not charged to anyone. Usage: npx tsx bench/telemetry-share.ts <file.cpuprofile>
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = process.argv[2];
if (!file) {
  process.stderr.write("Usage: npx tsx bench/telemetry-share.ts <file.cpuprofile>\n");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[]; samples: number[] };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const OBSERVABILITY_PACKAGES = /node_modules\/(prom-client|tdigest|bintrees|pino|pino-std-serializers|sonic-boom|fast-redact|quick-format-unescaped|atomic-sleep|on-exit-leak-free|safe-stable-stringify)\//;
const OBSERVABILITY_SOURCES = /\/packages\/telemetry\/src\/|\/packages\/db\/src\/instrument\.ts|\/apps\/gateway\/src\/telemetry\.ts/;

function owner(id: number): string | undefined {
  for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
    const { url } = byId.get(current)!.callFrame;
    if (url && !url.startsWith("node:")) return url;
  }
  return undefined;
}

let busy = 0;
let observability = 0;
const byFunction = new Map<string, number>();
for (const sample of profile.samples) {
  const { functionName } = byId.get(sample)!.callFrame;
  if (functionName === "(idle)" || functionName === "(garbage collector)") continue;
  busy += 1;
  const url = owner(sample);
  if (url && (OBSERVABILITY_PACKAGES.test(url) || OBSERVABILITY_SOURCES.test(url))) {
    observability += 1;
    const name = `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
  }
}
const percent = (count: number) => `${((count / busy) * 100).toFixed(2)} %`;
const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 15);
process.stdout.write(
  `${busy} busy samples (GC and idle left out); observability: ${observability} = ${percent(observability)}\n` +
    top.map(([name, count]) => `${percent(count).padStart(8)}  ${name}`).join("\n") +
    "\n",
);
