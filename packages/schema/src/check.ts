import { printSchema, Supergraph } from "@apollo/federation-internals";
import { buildSchema, type GraphQLSchema } from "graphql";
import { diffApiSchemas, SEVERITY_ORDER, type SchemaChange, type Severity } from "./changes.ts";
import type { DriftReport } from "./committed.ts";
import { composeSupergraph, type ComposedSupergraph, type CompositionHintSummary } from "./compose.ts";
import { CompositionFailure, describeCompositionError, type CompositionError } from "./errors.ts";
import { diffEntityKeys, type SubgraphDefinition } from "./federation.ts";
import { collectUsage, validateOperations, type LoadedOperations, type OperationResult } from "./operations.ts";
import type { SubgraphSdl } from "./subgraphs.ts";

/** What the new schema is compared with. */
export type Baseline =
  | { kind: "none"; description: string }
  /** Subgraph SDL files at a git commit (a subgraph that did not exist then is simply absent). */
  | { kind: "git"; description: string; ref: string; commit: string; subgraphs: SubgraphDefinition[] }
  /** A schema file: a public API schema, or a supergraph (its API schema is derived). */
  | { kind: "file"; description: string; file: string; sdl: string };

export interface CheckInputs {
  /** The subgraphs as they are now, or why they could not be read (e.g. a missing SDL file). */
  subgraphs: SubgraphSdl[] | CompositionFailure;
  baseline: Baseline;
  operations: LoadedOperations;
  /** Compares the committed files with the fresh composition; omitted when drift is not checked. */
  drift?: (composed: ComposedSupergraph) => DriftReport;
  failOnUnusedBreaking?: boolean;
}

export interface OperationRef {
  client: string;
  operation: string;
  file: string;
}

export interface ReportedChange {
  severity: Severity;
  coordinate: string;
  message: string;
  reason: string;
  type: string;
  source: "api" | "federation";
  subgraph?: string;
  /** Recorded operations that use what changed (walked against the baseline schema). */
  usedBy: OperationRef[];
  /** Whether this change fails the check: breaking and used, or breaking at all with --fail-on-unused-breaking. */
  blocking: boolean;
}

/** The stable JSON shape of `check --format json` (see the README). */
export interface CheckReport {
  ok: boolean;
  /** One sentence per reason the check failed; empty when it passed. */
  failures: string[];
  subgraphs: { name: string; sdlFile: string }[];
  composition: { ok: boolean; errors: CompositionError[]; hints: CompositionHintSummary[] };
  drift: DriftReport & { skipped?: string };
  baseline: { kind: Baseline["kind"]; description: string; ref?: string; commit?: string; file?: string; subgraphs?: string[]; note?: string };
  changes: ReportedChange[];
  operations: OperationResult[];
  summary: { breaking: number; dangerous: number; safe: number; blocking: number; operations: number; invalidOperations: number };
}

interface BaselineSchemas {
  api?: GraphQLSchema;
  subgraphs?: SubgraphDefinition[];
  note?: string;
}

function baselineSchemas(baseline: Baseline): BaselineSchemas {
  if (baseline.kind === "none") return {};
  if (baseline.kind === "file") {
    try {
      // A supergraph carries join__ metadata; clients see its API schema, so compare that.
      const sdl = /\bjoin__Graph\b/.test(baseline.sdl) ? supergraphApiSchema(baseline.sdl) : baseline.sdl;
      return { api: buildSchema(sdl), note: "entity keys not compared: a schema file has no subgraph SDL" };
    } catch (error) {
      return { note: `the baseline file is not a valid schema, so changes are not classified: ${(error as Error).message}` };
    }
  }
  if (baseline.subgraphs.length === 0) return { subgraphs: [], note: "no subgraph SDL at the baseline: everything is new" };
  try {
    const composed = composeSupergraph(baseline.subgraphs);
    return { api: buildSchema(composed.apiSchemaSdl), subgraphs: baseline.subgraphs };
  } catch (error) {
    if (!(error instanceof CompositionFailure)) throw error;
    return { subgraphs: baseline.subgraphs, note: `the baseline does not compose, so API changes are not classified: ${error.errors.map(describeCompositionError).join("; ")}` };
  }
}

function supergraphApiSchema(supergraphSdl: string): string {
  return printSchema(Supergraph.build(supergraphSdl).apiSchema());
}

/** Runs every check on in-memory inputs: the CLI gathers them from disk and git, the tests write them inline. */
export async function evaluateSchemaCheck(inputs: CheckInputs): Promise<CheckReport> {
  const failures: string[] = [];
  const subgraphList = inputs.subgraphs instanceof CompositionFailure ? [] : inputs.subgraphs;
  const report: CheckReport = {
    ok: false,
    failures,
    subgraphs: subgraphList.map((s) => ({ name: s.name, sdlFile: s.sdlFile })),
    composition: { ok: false, errors: [], hints: [] },
    drift: { checked: false, ok: true, files: [], skipped: inputs.drift ? "the subgraphs do not compose" : "not requested (--no-drift)" },
    baseline: { kind: inputs.baseline.kind, description: inputs.baseline.description },
    changes: [],
    operations: [],
    summary: { breaking: 0, dangerous: 0, safe: 0, blocking: 0, operations: inputs.operations.operations.length, invalidOperations: 0 },
  };
  if (inputs.baseline.kind === "git") Object.assign(report.baseline, { ref: inputs.baseline.ref, commit: inputs.baseline.commit, subgraphs: inputs.baseline.subgraphs.map((s) => s.name) });
  if (inputs.baseline.kind === "file") report.baseline.file = inputs.baseline.file;

  // a. Composition.
  let composed: ComposedSupergraph | undefined;
  try {
    if (inputs.subgraphs instanceof CompositionFailure) throw inputs.subgraphs;
    composed = composeSupergraph(inputs.subgraphs);
    report.composition = { ok: true, errors: [], hints: composed.hints };
  } catch (error) {
    if (!(error instanceof CompositionFailure)) throw error;
    report.composition.errors = error.errors;
    for (const e of error.errors) failures.push(`Composition: ${describeCompositionError(e)}`);
  }

  // b. Drift of the committed files.
  if (composed && inputs.drift) {
    report.drift = inputs.drift(composed);
    for (const file of report.drift.files) {
      // The manifest is the gateway's safelist: a stale one refuses an operation a client was promised, or lets an old one in.
      const what = file.file.endsWith("persisted-operations.json") ? " (the recorded operations changed; the gateway's safelist is this file)" : "";
      if (file.status === "missing") failures.push(`Drift: ${file.file} is missing${what}. Run npm run schema:compose and commit the result.`);
      if (file.status === "stale") failures.push(`Drift: ${file.file} is stale${what} (first difference at line ${file.firstDifference?.line}). Run npm run schema:compose and commit the result.`);
    }
  }

  // d. Recorded operations against the new API schema.
  const newApi = composed ? buildSchema(composed.apiSchemaSdl) : undefined;
  const problems = inputs.operations.problems.map(
    (p): OperationResult => ({ client: p.client, file: p.file, operation: "(file)", kind: "query", ok: false, errors: [p.message] }),
  );
  if (newApi) report.operations = [...problems, ...validateOperations(newApi, inputs.operations.operations)];
  else report.operations = problems;
  for (const op of report.operations.filter((o) => !o.ok)) {
    failures.push(`Operation ${op.operation} of client ${op.client} (${op.file}) no longer validates: ${op.errors.join("; ")}`);
  }
  report.summary.invalidOperations = report.operations.filter((o) => !o.ok).length;

  // c, e, f. Changes since the baseline, and who uses them.
  if (composed && newApi) {
    const base = baselineSchemas(inputs.baseline);
    if (base.note) report.baseline.note = base.note;
    const changes: SchemaChange[] = [];
    if (base.api) changes.push(...(await diffApiSchemas(base.api, newApi)));
    if (base.subgraphs) changes.push(...diffEntityKeys(base.subgraphs, subgraphList));

    // Usage is walked against the baseline: a removed field only exists there.
    const usageSchema = base.api ?? newApi;
    const usage = inputs.operations.operations.map((op) => ({ ref: { client: op.client, operation: op.name, file: op.file }, used: collectUsage(usageSchema, op.document) }));

    report.changes = changes
      .map((change): ReportedChange => {
        const usedBy = usage.filter((u) => change.affects.some((c) => u.used.has(c))).map((u) => u.ref);
        const blocking = change.severity === "breaking" && (usedBy.length > 0 || Boolean(inputs.failOnUnusedBreaking));
        const { affects: _affects, ...rest } = change;
        return { ...rest, usedBy, blocking };
      })
      .sort((a, b) => Number(b.blocking) - Number(a.blocking) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.coordinate.localeCompare(b.coordinate));

    for (const change of report.changes.filter((c) => c.blocking)) {
      const users = change.usedBy.map((u) => `${u.client}/${u.operation}`).join(", ");
      failures.push(`Breaking change ${change.coordinate}: ${change.message}${users ? ` (used by ${users})` : " (not used by any recorded operation; failing because of --fail-on-unused-breaking)"}`);
    }
  }

  for (const change of report.changes) report.summary[change.severity]++;
  report.summary.blocking = report.changes.filter((c) => c.blocking).length;
  report.ok = failures.length === 0;
  return report;
}
