// Summarises a V8 CPU profile (node --cpu-prof, e.g. from `--workload gateways --cpu-prof <dir>`): self time by
// package (or Node internals, GC, idle) and the heaviest functions. Usage: npx tsx bench/gateways/profile-summary.ts <file>
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const file = process.argv[2];
if (!file) {
  console.error("Usage: npx tsx bench/gateways/profile-summary.ts <file.cpuprofile>");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[]; samples: number[] };
const hits = new Map<number, number>();
for (const sample of profile.samples) hits.set(sample, (hits.get(sample) ?? 0) + 1);
const total = profile.samples.length;
const byGroup = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const node of profile.nodes) {
  const count = hits.get(node.id) ?? 0;
  if (!count) continue;
  const { url, functionName, lineNumber } = node.callFrame;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  const group = pkg ?? (url.startsWith("node:") ? "node internals" : url ? (url.includes("/apps/") || url.includes("/packages/") ? "monograph" : url) : `(${functionName || "native"})`);
  byGroup.set(group, (byGroup.get(group) ?? 0) + count);
  const name = `${functionName || "(anonymous)"} ${pkg ?? url.split("/").slice(-2).join("/")}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + count);
}
const top = (map: Map<string, number>, n: number) =>
  [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, count]) => `${((count / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
console.log(`${total} samples\n\nSelf time by package:\n${top(byGroup, 15).join("\n")}\n\nHeaviest functions (self time):\n${top(byFunction, 25).join("\n")}`);
