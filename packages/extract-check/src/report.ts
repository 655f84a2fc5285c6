import type { CheckRow, ExtractReport } from "./types.ts";

export const FORMATS = ["table", "json", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

/** Evidence lines shown per row in table and markdown; JSON has them all. */
const MAX_EVIDENCE = 12;

function shownEvidence(row: CheckRow): string[] {
  if (row.evidence.length <= MAX_EVIDENCE) return row.evidence;
  return [...row.evidence.slice(0, MAX_EVIDENCE), `... and ${row.evidence.length - MAX_EVIDENCE} more (--format json lists them all)`];
}

const verdictWord = (row: CheckRow) => (row.verdict === "info" ? (row.flag ? "FLAG" : "INFO") : row.verdict.toUpperCase());
const verdictMark = (row: CheckRow) => (row.verdict === "pass" ? "✅ pass" : row.verdict === "fail" ? "❌ fail" : row.flag ? "🚩 reason to split" : "ℹ️ info");

export function headline(report: ExtractReport): string {
  const required = report.rows.filter((row) => row.required);
  const failing = required.filter((row) => row.verdict !== "pass").length;
  return report.ready ? `READY (all ${required.length} required items hold)` : `NOT READY (${failing} of ${required.length} required items fail)`;
}

export function formatReport(report: ExtractReport, format: Format): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  if (format === "markdown") return formatMarkdown(report);
  return formatTable(report);
}

export function formatTable(report: ExtractReport): string {
  const out = [`Extraction readiness of ${report.domain}: ${headline(report)}`, ""];
  const width = Math.max(...report.rows.map((row) => row.title.length));
  report.rows.forEach((row, index) => {
    out.push(`${index + 1}. ${row.title.padEnd(width)}  ${verdictWord(row).padEnd(4)}  ${row.summary}`);
    for (const line of shownEvidence(row)) out.push(`     ${line}`);
  });
  return `${out.join("\n")}\n`;
}

// GitHub would read "<file>" as an HTML tag and hide it.
const cell = (text: string) => text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\n/g, " ");

export function formatMarkdown(report: ExtractReport): string {
  const out = [`### Extraction readiness of \`${report.domain}\`: ${headline(report)}`, "", "| # | Item | Verdict | Evidence |", "|---|---|---|---|"];
  report.rows.forEach((row, index) => {
    const evidence = [`**${cell(row.summary)}**`, ...shownEvidence(row).map(cell)].join("<br>");
    out.push(`| ${index + 1} | ${row.title}${row.required ? "" : " (informational)"} | ${verdictMark(row)} | ${evidence} |`);
  });
  return `${out.join("\n")}\n`;
}
