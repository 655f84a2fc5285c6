import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Kind, print, visit, type ASTNode, type DefinitionNode, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";
import { parseOperations, readOperationFiles, type RecordedOperation } from "./operations.ts";
import { OPERATIONS_DIR, PERSISTED_OPERATIONS_PATH } from "./paths.ts";

/**
 * The recorded operations as persisted operations, in Apollo's manifest format (what `generate-persisted-query-manifest`
 * writes and GraphOS and the Apollo Router read), plus the client that recorded each one.
 */
export interface PersistedOperationManifest {
  format: "apollo-persisted-query-manifest";
  version: 1;
  operations: PersistedOperation[];
}

export interface PersistedOperation {
  /** sha256 (hex) of `body`: the `sha256Hash` Apollo Client's persisted-queries link sends for this document. */
  id: string;
  name: string;
  type: RecordedOperation["kind"];
  /** The document exactly as a client sends it: the operation, its fragments, `__typename` added, graphql's `print`. */
  body: string;
  clientName: string;
}

/** The operation id of a document's text: sha256, hex, as the persisted-query protocol defines it. */
export function persistedOperationId(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: "__typename" } };

/**
 * Adds `__typename` to every selection set below the operation's root, as Apollo Client's cache does to every
 * document before it reaches a link (`addTypenameToDocument`: appended last, skipped where the set already selects
 * `__typename` or an introspection field, or under an `@export` field). The typed documents carry it already, so
 * Apollo Client sends them unchanged, and the hash it computes is the manifest's id.
 */
export function addTypename(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet: {
      enter(node: SelectionSetNode, _key, parent) {
        if (parent && !Array.isArray(parent) && (parent as ASTNode).kind === Kind.OPERATION_DEFINITION) return undefined;
        if (node.selections.some((s) => s.kind === Kind.FIELD && s.name.value.startsWith("__"))) return undefined;
        const field = parent as ASTNode | undefined;
        if (field && !Array.isArray(field) && field.kind === Kind.FIELD && field.directives?.some((d) => d.name.value === "export")) return undefined;
        return { ...node, selections: [...node.selections, TYPENAME] };
      },
    },
  });
}

/**
 * The document a client sends for a recorded operation: the operation first, then the fragments it uses in the
 * order GraphQL Code Generator's client preset appends them (each spread fragment after the fragments it spreads),
 * so that the typed document generated from the same files prints to the same text.
 */
export function persistedDocument(operation: RecordedOperation): DocumentNode {
  const [root, ...rest] = operation.document.definitions;
  const fragments = new Map(rest.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const ordered = new Map<string, FragmentDefinitionNode>();
  const dependencies = (node: ASTNode, seen: Set<string>): string[] => {
    const names: string[] = [];
    visit(node, {
      FragmentSpread(spread) {
        if (!names.includes(spread.name.value)) names.push(spread.name.value);
      },
    });
    return names.flatMap((name) => {
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) return [];
      return [...dependencies(fragment, new Set([...seen, name])), name];
    });
  };
  const direct: string[] = [];
  visit(root!, { FragmentSpread: (spread) => void (direct.includes(spread.name.value) || direct.push(spread.name.value)) });
  for (const name of direct) for (const dependency of dependencies(fragments.get(name) ?? root!, new Set([name]))) if (!ordered.has(dependency)) ordered.set(dependency, fragments.get(dependency)!);
  for (const name of direct) if (fragments.has(name) && !ordered.has(name)) ordered.set(name, fragments.get(name)!);
  return addTypename({ kind: Kind.DOCUMENT, definitions: [root!, ...ordered.values()] });
}

/**
 * A key that two texts of the same operation share however they are laid out: the definitions with `__typename`
 * added as the client's cache does, fragments sorted by name, printed. The gateway uses it to recognise the full
 * text of a recorded operation, with or without the `__typename`s a client adds, comments, or other whitespace.
 */
export function canonicalOperationKey(document: DocumentNode): string {
  const operations: DefinitionNode[] = [];
  const fragments: FragmentDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.push(definition);
    else operations.push(definition);
  }
  fragments.sort((a, b) => (a.name.value < b.name.value ? -1 : a.name.value > b.name.value ? 1 : 0));
  return persistedOperationId(print(addTypename({ kind: Kind.DOCUMENT, definitions: [...operations, ...fragments] })));
}

/** The manifest of a list of recorded operations, sorted by client and name; one entry per distinct document. */
export function buildPersistedManifest(operations: readonly RecordedOperation[]): PersistedOperationManifest {
  const byId = new Map<string, PersistedOperation>();
  for (const operation of operations) {
    const body = print(persistedDocument(operation));
    const id = persistedOperationId(body);
    if (!byId.has(id)) byId.set(id, { id, name: operation.name, type: operation.kind, body, clientName: operation.client });
  }
  const operationsSorted = [...byId.values()].sort((a, b) => a.clientName.localeCompare(b.clientName) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { format: "apollo-persisted-query-manifest", version: 1, operations: operationsSorted };
}

/** The manifest of the operations recorded under a repository root, as the committed file holds it. */
export function manifestOfRepository(rootDir: string): PersistedOperationManifest {
  const { files } = readOperationFiles(path.join(rootDir, OPERATIONS_DIR), rootDir);
  return buildPersistedManifest(parseOperations(files).operations);
}

export function formatManifest(manifest: PersistedOperationManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The committed manifest of this checkout (packages/schema/persisted-operations.json): what the gateway's safelist serves. */
export function readPersistedOperations(file: string = PERSISTED_OPERATIONS_PATH): PersistedOperationManifest {
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run schema:compose.`);
  const manifest = JSON.parse(readFileSync(file, "utf8")) as PersistedOperationManifest;
  if (manifest.format !== "apollo-persisted-query-manifest" || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
    throw new Error(`${file} is not a persisted-query manifest (format apollo-persisted-query-manifest, version 1).`);
  }
  for (const operation of manifest.operations) {
    if (persistedOperationId(operation.body) !== operation.id) throw new Error(`${file}: operation ${operation.name} has an id that is not the sha256 of its body: run npm run schema:compose.`);
  }
  return manifest;
}
