/** One row of the report: a checklist item, what was found, and whether it holds. */
export interface CheckRow {
  id: "boundary-stable" | "boundary-tested" | "tracing" | "owned" | "latency-budget" | "load-share";
  title: string;
  /** Required items decide the exit code; the load share is a reason to split, not a condition. */
  required: boolean;
  /** pass / fail for required items; info for the load share (with `flag` set when it is a reason to split). */
  verdict: "pass" | "fail" | "info";
  /** One line: the verdict's reason. */
  summary: string;
  /** The evidence, one line each: commits, files, rules, measurements. */
  evidence: string[];
  /** For the load share: true when the domain takes >= the flag ratio of the median domain's load. */
  flag?: boolean;
  /** Machine-readable details (the JSON format). */
  data?: unknown;
}

export interface ExtractReport {
  domain: string;
  root: string;
  generatedAt: string;
  /** Every required item holds. */
  ready: boolean;
  rows: CheckRow[];
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}
