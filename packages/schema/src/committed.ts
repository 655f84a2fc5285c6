import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ComposedSupergraph } from "./compose.ts";
import { API_SCHEMA_FILE, PERSISTED_OPERATIONS_FILE, SUPERGRAPH_FILE, SUPERGRAPH_PATH } from "./paths.ts";
import { formatManifest, manifestOfRepository } from "./persisted.ts";

/** The committed supergraph SDL (packages/schema/supergraph.graphql): what the gateway serves. */
export function readCommittedSupergraph(): string {
  return readFileSync(SUPERGRAPH_PATH, "utf8");
}

/**
 * The generated files and what they should hold: the supergraph and the API schema from the composition, and the
 * manifest of persisted operations from the operations recorded under the root.
 */
function generatedFiles(rootDir: string, composed: ComposedSupergraph): [string, string][] {
  return [
    [SUPERGRAPH_FILE, composed.supergraphSdl],
    [API_SCHEMA_FILE, composed.apiSchemaSdl],
    [PERSISTED_OPERATIONS_FILE, formatManifest(manifestOfRepository(rootDir))],
  ];
}

/** Writes supergraph.graphql, api-schema.graphql and persisted-operations.json under a repository root; returns the files written. */
export function writeComposedFiles(rootDir: string, composed: ComposedSupergraph): string[] {
  const files = generatedFiles(rootDir, composed);
  for (const [file, content] of files) {
    const target = path.join(rootDir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return files.map(([file]) => file);
}

export interface DriftedFile {
  /** Relative to the repository root. */
  file: string;
  status: "up-to-date" | "missing" | "stale";
  /** The first line that differs (1-based), to show what changed without a full diff. */
  firstDifference?: { line: number; committed: string; composed: string };
}

export interface DriftReport {
  checked: boolean;
  ok: boolean;
  files: DriftedFile[];
}

/** Compares the committed supergraph, API schema and persisted-operation manifest with a fresh composition. */
export function checkDrift(rootDir: string, composed: ComposedSupergraph): DriftReport {
  const files = generatedFiles(rootDir, composed).map(([file, expected]): DriftedFile => {
    const target = path.join(rootDir, file);
    if (!existsSync(target)) return { file, status: "missing" };
    return compareText(file, readFileSync(target, "utf8"), expected);
  });
  return { checked: true, ok: files.every((f) => f.status === "up-to-date"), files };
}

export function compareText(file: string, committed: string, composed: string): DriftedFile {
  // A checkout with CRLF line endings holds the same schema; only the content matters.
  const a = committed.replace(/\r\n/g, "\n").split("\n");
  const b = composed.replace(/\r\n/g, "\n").split("\n");
  // The first line that really differs: a line that differs only in trailing spaces is shown only when nothing else does.
  let whitespaceOnly: number | undefined;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (a[i] !== undefined && b[i] !== undefined && a[i]!.trimEnd() === b[i]!.trimEnd()) {
      whitespaceOnly ??= i;
      continue;
    }
    return { file, status: "stale", firstDifference: { line: i + 1, committed: a[i] ?? "<end of file>", composed: b[i] ?? "<end of file>" } };
  }
  if (whitespaceOnly !== undefined) return { file, status: "stale", firstDifference: { line: whitespaceOnly + 1, committed: a[whitespaceOnly]!, composed: b[whitespaceOnly]! } };
  return { file, status: "up-to-date" };
}
