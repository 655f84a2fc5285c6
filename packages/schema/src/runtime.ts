// What a running gateway reads of @monograph/schema (`@monograph/schema/runtime`): the committed supergraph and the
// persisted operations. Apart from the package's index, which also offers composition (@apollo/composition), the
// change checks (@graphql-inspector) and the usage export (the database layer): tools that a gateway never runs and
// that would cost it tens of MiB of memory.
export { readCommittedSupergraph } from "./committed.ts";
export { canonicalOperationKey, readPersistedOperations, type PersistedOperation, type PersistedOperationManifest } from "./persisted.ts";
export { OPERATIONS_DIR, REPO_ROOT } from "./paths.ts";
export { parseOperations, readOperationFiles } from "./operations.ts";
// Usage reporting (apps/gateway/src/usage.ts): which coordinates a served operation uses.
export { collectUsageDetailed, operationDocument } from "./operations.ts";
