import { readFileSync } from "node:fs";
import path from "node:path";
import { operationFromDocument, Supergraph } from "@apollo/federation-internals";
import { QueryPlanner } from "@apollo/query-planner";
import { parseOperations, readOperationFiles, type RecordedOperation } from "@monograph/schema";
import { print } from "graphql";

export interface PlannedOperation {
  client: string;
  name: string;
  kind: RecordedOperation["kind"];
  file: string;
  /** The operation with its fragments, as a client sends it. */
  query: string;
  /** Every subgraph its query plan fetches from. */
  subgraphs: string[];
}

/** The subgraphs of every Fetch node of a query plan, whatever the nesting (sequence, parallel, flatten, defer...). */
function fetchedSubgraphs(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const child of node) fetchedSubgraphs(child, into);
  else if (node && typeof node === "object") {
    const record = node as Record<string, unknown>;
    if (record.kind === "Fetch" && typeof record.serviceName === "string") into.add(record.serviceName);
    for (const [key, value] of Object.entries(record)) if (key !== "operationDocumentNode" && typeof value === "object") fetchedSubgraphs(value, into);
  }
  return into;
}

/**
 * Plans every recorded client operation against the committed supergraph, with the gateway's own query planner:
 * an operation touches a domain when its plan fetches from that subgraph (the supergraph's @join__field and
 * @join__type say who resolves what; the planner reads them).
 */
export function planRecordedOperations(root: string, supergraphFile: string, operationsDir: string): { operations: PlannedOperation[]; problems: string[] } {
  const supergraph = Supergraph.build(readFileSync(supergraphFile, "utf8"));
  const planner = new QueryPlanner(supergraph);
  const apiSchema = supergraph.apiSchema();
  const { files, problems: fileProblems } = readOperationFiles(operationsDir, root);
  const { operations, problems: parseProblems } = parseOperations(files);
  const problems = [...fileProblems, ...parseProblems].map((problem) => `${problem.file}: ${problem.message}`);
  const planned: PlannedOperation[] = [];
  for (const operation of operations) {
    try {
      const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, operation.document, { operationName: operation.name, validate: true }));
      planned.push({
        client: operation.client,
        name: operation.name,
        kind: operation.kind,
        file: path.normalize(operation.file),
        query: print(operation.document),
        subgraphs: [...fetchedSubgraphs(plan.node)].sort(),
      });
    } catch (error) {
      problems.push(`${operation.file} ${operation.name}: cannot be planned (${(error as Error).message})`);
    }
  }
  return { operations: planned, problems };
}
