import path from "node:path";
import { fileURLToPath } from "node:url";

/** packages/schema, wherever the checkout lives. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The repository this package belongs to (the default root of every command). */
export const REPO_ROOT = path.resolve(PACKAGE_DIR, "../..");

/** Where the committed files live, relative to a repository root, so the CLI can point at any checkout. */
export const SUPERGRAPH_FILE = "packages/schema/supergraph.graphql";
export const API_SCHEMA_FILE = "packages/schema/api-schema.graphql";
export const OPERATIONS_DIR = "packages/schema/operations";
export const PERSISTED_OPERATIONS_FILE = "packages/schema/persisted-operations.json";

/** The committed supergraph SDL of this checkout: what the gateway serves. */
export const SUPERGRAPH_PATH = path.join(REPO_ROOT, SUPERGRAPH_FILE);

/** The committed public API schema of this checkout: what client code generation reads. */
export const API_SCHEMA_PATH = path.join(REPO_ROOT, API_SCHEMA_FILE);

/** The committed manifest of persisted operations of this checkout: the gateway's safelist. */
export const PERSISTED_OPERATIONS_PATH = path.join(REPO_ROOT, PERSISTED_OPERATIONS_FILE);
