import { printSchema, Supergraph } from "@apollo/federation-internals";
import { buildSchema, type GraphQLSchema } from "graphql";
import { diffApiSchemas, SEVERITY_ORDER, type SchemaChange, type Severity } from "./changes.ts";
import type { DriftReport } from "./committed.ts";
import { composeSupergraph, type ComposedSupergraph, type CompositionHintSummary } from "./compose.ts";
import { CompositionFailure, describeCompositionError, type CompositionError } from "./errors.ts";
import { diffEntityKeys, type SubgraphDefinition } from "./federation.ts";
import { approves, isExpired, type Approval, type ApprovalsReport } from "./approvals.ts";
import { collectUsageDetailed, validateOperations, type LoadedOperations, type OperationResult } from "./operations.ts";
import type { SubgraphSdl } from "./subgraphs.ts";
import type { ObservedOperation } from "./usage.ts";

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
  /** Operations the gateway served in the window (`--usage`), already filtered by --min-count and --exclude-client. */
  traffic?: { source: string; window: { from: string; to: string }; minCount: number; excludedClients: string[]; operations: ObservedOperation[] };
  /** Reviewed breaking changes (packages/schema/schema-approvals.json). */
  approvals?: { file?: string; approvals: Approval[] };
  /** For expiry of approvals; default: now. */
  now?: Date;
}

export interface OperationRef {
  client: string;
  operation: string;
  file: string;
  /** Set when the operation uses what changed only through these variables (the value sent is unknown). */
  viaVariables?: string[];
}

/** Observed traffic that uses what changed: one client version's operation, with its requests in the window. */
export interface ObservedRef {
  client: string;
  version: string;
  operation: string;
  signature: string;
  count: number;
  lastSeen: string;
  viaVariables?: string[];
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
  /** Observed traffic that uses what changed (`--usage`), most requests first. */
  observedBy: ObservedRef[];
  /** For a breaking change: a way forward. */
  suggestion?: string;
  /** The approval that lets this breaking change through. */
  approval?: Approval;
  /** Whether this change fails the check: breaking, not approved, and used (recorded or observed), or breaking at all with --fail-on-unused-breaking. */
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
  /** Where "used" comes from: the recorded operations, and the gateway's traffic when --usage is given. */
  usage: {
    recordedOperations: number;
    traffic?: { source: string; window: { from: string; to: string }; minCount: number; excludedClients: string[]; operations: number; clients: { name: string; version: string; requests: number }[] };
  };
  approvals: ApprovalsReport;
  summary: { breaking: number; dangerous: number; safe: number; blocking: number; approved: number; operations: number; invalidOperations: number };
}

/** A used-by entry: every coordinate of `affects` it uses is reached only through variables, or not. */
function throughVariables(affects: readonly string[], used: { coordinates: Set<string>; viaVariables: Map<string, string[]> }): string[] | undefined | false {
  const hits = affects.filter((c) => used.coordinates.has(c));
  if (hits.length === 0) return false;
  if (!hits.every((c) => used.viaVariables.has(c))) return undefined;
  return [...new Set(hits.flatMap((c) => used.viaVariables.get(c)!))].sort();
}

const via = (variables: string[] | undefined): string => (variables ? ` via variable ${variables.map((v) => `\`$${v}\``).join(", ")}` : "");

/** "web/ProductPage via variable `$input`". */
export const describeRecorded = (u: OperationRef): string => `${u.client}/${u.operation}${via(u.viaVariables)}`;

/** "ios 2.3.1: Checkout (1,204 requests)". */
export const describeObserved = (o: ObservedRef): string =>
  `${o.client}${o.version ? ` ${o.version}` : ""}: ${o.operation} (${o.count.toLocaleString("en-US")} request${o.count === 1 ? "" : "s"})${via(o.viaVariables)}`;

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
    usage: { recordedOperations: inputs.operations.operations.length },
    approvals: { file: inputs.approvals?.file, applied: [], unused: [], expired: [] },
    summary: { breaking: 0, dangerous: 0, safe: 0, blocking: 0, approved: 0, operations: inputs.operations.operations.length, invalidOperations: 0 },
  };
  if (inputs.traffic) {
    const clients = new Map<string, { name: string; version: string; requests: number }>();
    for (const op of inputs.traffic.operations) {
      const key = `${op.client}\0${op.version}`;
      const entry = clients.get(key) ?? { name: op.client, version: op.version, requests: 0 };
      entry.requests += op.count;
      clients.set(key, entry);
    }
    const { operations, ...rest } = inputs.traffic;
    report.usage.traffic = { ...rest, operations: operations.length, clients: [...clients.values()].sort((a, b) => b.requests - a.requests) };
  }
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
    const usage = inputs.operations.operations.map((op) => ({ ref: { client: op.client, operation: op.name, file: op.file }, used: collectUsageDetailed(usageSchema, op.document) }));
    const traffic = inputs.traffic?.operations ?? [];
    const now = inputs.now ?? new Date();
    const approvals = inputs.approvals?.approvals ?? [];
    const live = approvals.filter((a) => !isExpired(a, now));
    report.approvals.expired = approvals.filter((a) => isExpired(a, now));

    report.changes = changes
      .map((change): ReportedChange => {
        const usedBy = usage.flatMap(({ ref, used }) => {
          const variables = throughVariables(change.affects, used);
          return variables === false ? [] : [variables ? { ...ref, viaVariables: variables } : ref];
        });
        const observedBy = traffic.flatMap((op): ObservedRef[] => {
          const variables = throughVariables(change.affects, op);
          if (variables === false) return [];
          const ref: ObservedRef = { client: op.client, version: op.version, operation: op.operation, signature: op.signature, count: op.count, lastSeen: op.lastSeen };
          return [variables ? { ...ref, viaVariables: variables } : ref];
        });
        const approval = change.severity === "breaking" ? live.find((a) => approves(a, change)) : undefined;
        const used = usedBy.length > 0 || observedBy.length > 0;
        const blocking = change.severity === "breaking" && !approval && (used || Boolean(inputs.failOnUnusedBreaking));
        const { affects: _affects, ...rest } = change;
        return { ...rest, usedBy, observedBy, ...(approval ? { approval } : {}), blocking };
      })
      .sort((a, b) => Number(b.blocking) - Number(a.blocking) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.coordinate.localeCompare(b.coordinate));
    report.approvals.applied = live.filter((a) => report.changes.some((c) => c.approval === a));
    report.approvals.unused = live.filter((a) => !report.approvals.applied.includes(a));

    for (const change of report.changes.filter((c) => c.blocking)) {
      const users = [...change.usedBy.map(describeRecorded), ...change.observedBy.map((o) => `traffic of ${describeObserved(o)}`)].join(", ");
      failures.push(
        `Breaking change ${change.coordinate} (${change.type}): ${change.message}${users ? ` (used by ${users})` : " (not used by any recorded operation or observed traffic; failing because of --fail-on-unused-breaking)"}.` +
          (change.suggestion ? ` Way forward: ${change.suggestion}` : ""),
      );
    }
  }

  for (const change of report.changes) report.summary[change.severity]++;
  report.summary.blocking = report.changes.filter((c) => c.blocking).length;
  report.summary.approved = report.changes.filter((c) => c.approval).length;
  report.ok = failures.length === 0;
  return report;
}
