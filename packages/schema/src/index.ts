// The public face of @monograph/schema: the gateway reads the committed supergraph and the subgraph list; CI runs the
// CLI (src/cli.ts); tools can run the same checks in-process with evaluateSchemaCheck.
export { SUBGRAPHS, loadSubgraphSdls, discoverSubgraphs, placeholderUrl, type SubgraphInfo, type SubgraphSdl } from "./subgraphs.ts";
export { composeSupergraph, type ComposedSupergraph, type SubgraphInput, type CompositionHintSummary } from "./compose.ts";
export { CompositionFailure, type CompositionError, type SdlLocation } from "./errors.ts";
export { readCommittedSupergraph, writeComposedFiles, checkDrift, type DriftReport } from "./committed.ts";
export { SUPERGRAPH_PATH, API_SCHEMA_PATH, REPO_ROOT, OPERATIONS_DIR, PERSISTED_OPERATIONS_PATH } from "./paths.ts";
export {
  addTypename,
  buildPersistedManifest,
  canonicalOperationKey,
  persistedDocument,
  persistedOperationId,
  readPersistedOperations,
  type PersistedOperation,
  type PersistedOperationManifest,
} from "./persisted.ts";
export { evaluateSchemaCheck, type Baseline, type CheckInputs, type CheckReport, type ReportedChange, type OperationRef } from "./check.ts";
export { diffApiSchemas, type SchemaChange, type Severity } from "./changes.ts";
export { diffEntityKeys, entityKeys } from "./federation.ts";
export { collectUsage, collectUsageDetailed, operationDocument, type OperationUsage, parseOperations, readOperationFiles, validateOperations, type OperationFile, type RecordedOperation, type OperationResult } from "./operations.ts";
export { formatReport, type Format } from "./report.ts";
export { exportUsage, exportUsageFromDatabase, observedOperations, parseWindow, readUsageFile, USAGE_FORMAT, type UsageExport, type ExportedOperation, type ObservedOperation } from "./usage.ts";
export { readApprovals, APPROVALS_FILE, type Approval, type ApprovalsReport } from "./approvals.ts";
