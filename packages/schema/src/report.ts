import type { Approval } from "./approvals.ts";
import { describeObserved, describeRecorded, type CheckReport, type ReportedChange } from "./check.ts";
import { describeCompositionError } from "./errors.ts";

export const FORMATS = ["table", "json", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

export function formatReport(report: CheckReport, format: Format): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  if (format === "markdown") return formatMarkdown(report);
  return formatTable(report);
}

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const users = (change: ReportedChange): string => {
  const all = [...change.usedBy.map(describeRecorded), ...change.observedBy.map(describeObserved)];
  return all.length === 0 ? "-" : all.join(", ");
};

function verdict(change: ReportedChange): string {
  if (change.blocking) return "fails";
  if (change.approval) return `passes (approved by ${change.approval.approvedBy})`;
  if (change.severity === "breaking") return "passes (unused)";
  return "passes";
}

const describeApproval = (a: Approval): string =>
  `${a.coordinate} ${a.change}${a.subgraph ? ` [subgraph ${a.subgraph}]` : ""}, approved by ${a.approvedBy}${a.expires ? ` until ${a.expires}` : ""}: ${a.reason}`;

function usageLine(report: CheckReport): string {
  const recorded = `${report.usage.recordedOperations} recorded operation${report.usage.recordedOperations === 1 ? "" : "s"}`;
  const traffic = report.usage.traffic;
  if (!traffic) return `${recorded} (no observed traffic: pass --usage)`;
  const clients = traffic.clients.map((c) => `${c.name}${c.version ? ` ${c.version}` : ""} (${c.requests.toLocaleString("en-US")})`).join(", ");
  const filters = [traffic.minCount > 1 ? `min count ${traffic.minCount}` : "", traffic.excludedClients.length ? `excluding ${traffic.excludedClients.join(", ")}` : ""].filter(Boolean).join(", ");
  return `${recorded}; traffic from ${traffic.source}, ${traffic.window.from} to ${traffic.window.to}${filters ? ` (${filters})` : ""}: ${traffic.operations} operation${traffic.operations === 1 ? "" : "s"} of ${clients || "no client"}`;
}

/** Shows what differs when two lines look the same once trimmed (indentation, trailing spaces). */
function visible(committed: string, composed: string): [string, string] {
  return committed.trim() === composed.trim() ? [JSON.stringify(committed), JSON.stringify(composed)] : [`"${committed.trim()}"`, `"${composed.trim()}"`];
}

function changeCounts(report: CheckReport): string {
  const { breaking, dangerous, safe, blocking } = report.summary;
  return `${breaking} breaking (${blocking} failing the check), ${dangerous} dangerous, ${safe} safe`;
}

function driftLine(report: CheckReport): string {
  if (!report.drift.checked) return `skipped: ${report.drift.skipped ?? "not checked"}`;
  return report.drift.ok ? "ok: the committed supergraph and API schema match a fresh composition" : "FAILED: run npm run schema:compose and commit the result";
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `  ${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")}`.trimEnd());
}

function operationsLine(report: CheckReport): string {
  const invalid = report.operations.filter((o) => !o.ok).length;
  if (invalid > 0) return `FAILED (${invalid} of ${report.operations.length} do not validate against the new API schema)`;
  if (!report.composition.ok) return report.summary.operations > 0 ? "not validated (the subgraphs do not compose)" : "none recorded";
  if (report.operations.length === 0) return "none recorded";
  const clients = [...new Set(report.operations.map((o) => o.client))];
  return `ok (${report.operations.length} operations of ${clients.length} client${clients.length === 1 ? "" : "s"}: ${clients.join(", ")})`;
}

function operationsCell(report: CheckReport): string {
  const invalid = report.operations.filter((o) => !o.ok).length;
  if (invalid === 0 && !report.composition.ok && report.summary.operations > 0) return "➖ not validated (the subgraphs do not compose)";
  return `${invalid === 0 ? "✅" : "❌"} ${report.operations.length - invalid} of ${report.operations.length} valid`;
}

/** The default: readable in a CI log, no colours, no wider than it must be. */
export function formatTable(report: CheckReport): string {
  const out: string[] = [];
  out.push(`Schema check: ${report.ok ? "passed" : "FAILED"}`);
  out.push(`  subgraphs  ${report.subgraphs.map((s) => s.name).join(", ") || "(none)"}`);
  out.push(`  baseline   ${report.baseline.description}${report.baseline.note ? ` (${report.baseline.note})` : ""}`);
  out.push("");

  out.push(`Composition: ${report.composition.ok ? `ok (${report.subgraphs.length} subgraphs)` : "FAILED"}`);
  for (const error of report.composition.errors) out.push(`  ${describeCompositionError(error)}`);
  out.push("");

  out.push(`Drift: ${driftLine(report)}`);
  for (const file of report.drift.files.filter((f) => f.status !== "up-to-date")) {
    const shown = file.firstDifference ? visible(file.firstDifference.committed, file.firstDifference.composed) : undefined;
    const at = file.firstDifference && shown ? ` at line ${file.firstDifference.line}: committed ${shown[0]}, composed ${shown[1]}` : "";
    out.push(`  ${file.file} is ${file.status}${at}`);
  }
  out.push("");

  out.push(`Changes: ${report.composition.ok ? changeCounts(report) : "not computed (the subgraphs do not compose)"}`);
  if (report.changes.length > 0) {
    const rows = [["SEVERITY", "COORDINATE", "USED BY", "VERDICT", "CHANGE"]];
    for (const change of report.changes) {
      const where = change.subgraph && !change.message.includes(`subgraph ${change.subgraph}`) ? ` [subgraph ${change.subgraph}]` : "";
      // Messages quote whole descriptions; the JSON and markdown formats keep them in full.
      rows.push([change.severity, change.coordinate, clip(users(change), 90), verdict(change), `${clip(change.message, 140)}${where}. ${change.reason}`]);
    }
    out.push(...table(rows));
    const blocking = report.changes.filter((c) => c.blocking && c.suggestion);
    if (blocking.length > 0) {
      out.push("", "Way forward:");
      for (const change of blocking) out.push(`  ${change.coordinate} (${change.type}): ${change.suggestion}`);
    }
  }
  out.push("");

  out.push(`Usage: ${usageLine(report)}`);
  out.push("");

  const { applied, unused, expired } = report.approvals;
  if (applied.length + unused.length + expired.length > 0) {
    out.push(`Approvals (${report.approvals.file ?? "approvals file"}): ${applied.length} applied, ${unused.length} unused, ${expired.length} expired`);
    for (const a of applied) out.push(`  approved  ${describeApproval(a)}`);
    for (const a of unused) out.push(`  unused    ${describeApproval(a)} (matches no change of this check: remove it once its change is merged)`);
    for (const a of expired) out.push(`  expired   ${describeApproval(a)} (approves nothing any more)`);
    out.push("");
  }

  const invalid = report.operations.filter((o) => !o.ok);
  out.push(`Operations: ${operationsLine(report)}`);
  for (const op of invalid) out.push(`  ${op.client}/${op.operation} (${op.file}): ${op.errors.join("; ")}`);
  out.push("");

  if (report.ok) out.push("Result: passed");
  else out.push("Result: FAILED", ...report.failures.map((f) => `  - ${f}`));
  return `${out.join("\n")}\n`;
}

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/** For a pull-request comment: a summary first, the detail below. */
export function formatMarkdown(report: CheckReport): string {
  const mark = (ok: boolean): string => (ok ? "✅" : "❌");
  const out: string[] = [];
  out.push(`### ${mark(report.ok)} Schema check ${report.ok ? "passed" : "failed"}`, "");
  out.push(`Baseline: ${cell(report.baseline.description)}${report.baseline.note ? ` (${cell(report.baseline.note)})` : ""}`, "");
  out.push("| Check | Result |", "|---|---|");
  out.push(`| Composition | ${mark(report.composition.ok)} ${report.composition.ok ? `${report.subgraphs.length} subgraphs` : `${report.composition.errors.length} error(s)`} |`);
  out.push(`| Drift | ${report.drift.checked ? mark(report.drift.ok) : "➖"} ${cell(driftLine(report))} |`);
  out.push(`| Changes | ${report.composition.ok ? `${mark(report.summary.blocking === 0)} ${changeCounts(report)}` : "➖ not computed (the subgraphs do not compose)"} |`);
  out.push(`| Operations | ${operationsCell(report)} |`);
  out.push(`| Usage | ${cell(usageLine(report))} |`);
  if (report.summary.approved > 0 || report.approvals.unused.length + report.approvals.expired.length > 0) {
    out.push(`| Approvals | ${report.summary.approved} applied, ${report.approvals.unused.length} unused, ${report.approvals.expired.length} expired |`);
  }
  out.push("");

  if (!report.ok) {
    out.push("#### What to fix", "");
    for (const failure of report.failures) out.push(`- ${cell(failure)}`);
    out.push("");
  }

  const { applied, unused, expired } = report.approvals;
  if (applied.length + unused.length + expired.length > 0) {
    out.push("#### Approvals", "", "| Status | Approval |", "|---|---|");
    for (const a of applied) out.push(`| ✅ applied | ${cell(describeApproval(a))} |`);
    for (const a of unused) out.push(`| ⚠️ unused (matches no change: remove it) | ${cell(describeApproval(a))} |`);
    for (const a of expired) out.push(`| ⚠️ expired (approves nothing) | ${cell(describeApproval(a))} |`);
    out.push("");
  }

  const changeRows = (changes: ReportedChange[]): string[] => [
    "| Severity | Coordinate | Change | Used by | Verdict |",
    "|---|---|---|---|---|",
    ...changes.map(
      (c) =>
        `| ${c.severity} | ${code(c.coordinate)} | ${cell(c.message)}${c.subgraph && !c.message.includes(`subgraph ${c.subgraph}`) ? ` (subgraph ${c.subgraph})` : ""}<br>${cell(c.reason)}` +
        `${c.blocking && c.suggestion ? `<br>**Way forward:** ${cell(c.suggestion)}` : ""} | ${cell(users(c))} | ${cell(verdict(c))} |`,
    ),
  ];
  const notable = report.changes.filter((c) => c.severity !== "safe");
  const safe = report.changes.filter((c) => c.severity === "safe");
  if (notable.length > 0) out.push("#### Breaking and dangerous changes", "", ...changeRows(notable), "");
  if (safe.length > 0) out.push(`<details><summary>${safe.length} safe change(s)</summary>`, "", ...changeRows(safe), "", "</details>", "");
  return `${out.join("\n")}\n`;
}
