// Observed traffic, as the gateway records it (apps/gateway/src/usage.ts, the `usage` PostgreSQL schema), and as
// `monograph-schema usage export` writes it to a file for CI runners that cannot reach the database.
import { existsSync, readFileSync } from "node:fs";
import type { DatabaseHandle } from "@monograph/db";
import { UsageError } from "./errors.ts";

export const USAGE_FORMAT = "monograph-usage/1";

/** `usage export`'s file: every operation signature seen in the window, with its coordinates and counts per client. */
export interface UsageExport {
  format: typeof USAGE_FORMAT;
  exportedAt: string;
  window: { from: string; to: string };
  operations: ExportedOperation[];
}

export interface ExportedOperation {
  signature: string;
  name: string;
  kind: string;
  coordinates: string[];
  /** Coordinates reached only through variables: coordinate -> variable names. */
  viaVariables: Record<string, string[]>;
  clients: { name: string; version: string; buckets: { start: string; count: number }[] }[];
}

/** One operation of one client version seen in the window: what the check compares changes with. */
export interface ObservedOperation {
  signature: string;
  operation: string;
  client: string;
  version: string;
  count: number;
  lastSeen: string;
  coordinates: Set<string>;
  viaVariables: Map<string, string[]>;
}

export interface UsageFilter {
  /** Only requests at or after this instant count. */
  from: Date;
  /** An operation of a client version seen fewer times than this in the window does not count. Default 1. */
  minCount?: number;
  /** Client names whose traffic does not count (e.g. an internal tool that follows the schema anyway). */
  excludeClients?: readonly string[];
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "30d", "12h", "2w", "90m" -> milliseconds. */
export function parseWindow(text: string): number {
  const match = /^(\d+)\s*([mhdw])$/.exec(text.trim());
  if (!match || Number(match[1]) <= 0) throw new UsageError(`--window must be a positive duration such as 30d, 12h, 2w or 90m, not "${text}"`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** The operations of each client version that count for the check, from an export. */
export function observedOperations(usage: UsageExport, filter: UsageFilter): ObservedOperation[] {
  const minCount = filter.minCount ?? 1;
  const excluded = new Set(filter.excludeClients ?? []);
  const observed: ObservedOperation[] = [];
  for (const op of usage.operations) {
    const coordinates = new Set(op.coordinates);
    const viaVariables = new Map(Object.entries(op.viaVariables ?? {}));
    for (const client of op.clients) {
      if (excluded.has(client.name)) continue;
      const buckets = client.buckets.filter((b) => new Date(b.start).getTime() + 3_600_000 > filter.from.getTime());
      const count = buckets.reduce((sum, b) => sum + b.count, 0);
      if (count === 0 || count < minCount) continue;
      const lastSeen = buckets.map((b) => b.start).sort().at(-1)!;
      observed.push({ signature: op.signature, operation: op.name, client: client.name, version: client.version, count, lastSeen, coordinates, viaVariables });
    }
  }
  return observed.sort((a, b) => b.count - a.count || a.client.localeCompare(b.client) || a.operation.localeCompare(b.operation));
}

/** Reads and checks an exported usage file. */
export function readUsageFile(file: string): UsageExport {
  if (!existsSync(file)) throw new UsageError(`--usage ${file} does not exist (a database URL starts with postgresql:// or pglite:)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--usage ${file} is not JSON: ${(error as Error).message}`);
  }
  const usage = parsed as Partial<UsageExport>;
  if (usage.format !== USAGE_FORMAT || !Array.isArray(usage.operations)) {
    throw new UsageError(`--usage ${file} is not a usage export (expected "format": "${USAGE_FORMAT}"; write one with monograph-schema usage export)`);
  }
  return usage as UsageExport;
}

/** The reading side of the `usage` schema, on any Prisma client of this project's database. */
export type UsageReader = Pick<DatabaseHandle["prisma"], "usageOperation" | "usageCount">;

/** The window of recorded usage as an export: counts per hour, per client version, per operation signature. */
export async function exportUsage(prisma: UsageReader, window: { from: Date; to: Date }): Promise<UsageExport> {
  // Buckets are hours: the one that contains `from` counts.
  const fromBucket = new Date(Math.floor(window.from.getTime() / 3_600_000) * 3_600_000);
  const counts = await prisma.usageCount.findMany({
    where: { bucket: { gte: fromBucket, lte: window.to } },
    orderBy: [{ signature: "asc" }, { clientName: "asc" }, { clientVersion: "asc" }, { bucket: "asc" }],
  });
  const signatures = [...new Set(counts.map((c) => c.signature))];
  const operations = signatures.length === 0 ? [] : await prisma.usageOperation.findMany({ where: { signature: { in: signatures } }, orderBy: { signature: "asc" } });
  const exported: ExportedOperation[] = operations.map((op) => ({
    signature: op.signature,
    name: op.operationName,
    kind: op.kind,
    coordinates: op.coordinates as string[],
    viaVariables: op.viaVariables as Record<string, string[]>,
    clients: [],
  }));
  const bySignature = new Map(exported.map((op) => [op.signature, op]));
  for (const row of counts) {
    const op = bySignature.get(row.signature);
    if (!op) continue;
    let client = op.clients.find((c) => c.name === row.clientName && c.version === row.clientVersion);
    if (!client) op.clients.push((client = { name: row.clientName, version: row.clientVersion, buckets: [] }));
    client.buckets.push({ start: row.bucket.toISOString(), count: Number(row.count) });
  }
  return { format: USAGE_FORMAT, exportedAt: window.to.toISOString(), window: { from: window.from.toISOString(), to: window.to.toISOString() }, operations: exported };
}

/** Whether a --usage argument names a database rather than a file. */
export const isDatabaseUrl = (source: string): boolean => /^(postgres(ql)?:\/\/|pglite:)/.test(source);

/**
 * Opens the database a --usage URL names (postgresql://..., or pglite:<folder> for an embedded database no other
 * process has open), without migrating it, and exports the window.
 */
export async function exportUsageFromDatabase(url: string, window: { from: Date; to: Date }): Promise<UsageExport> {
  // Loaded only here: a check without --usage never loads Prisma.
  const { openDatabase } = await import("@monograph/db");
  const target = url.startsWith("pglite:") ? { kind: "pglite" as const, dataDir: url.slice("pglite:".length) } : { kind: "postgres" as const, url };
  if (target.kind === "pglite" && !existsSync(target.dataDir)) throw new UsageError(`--usage ${url}: no PGlite database in ${target.dataDir}`);
  const db = await openDatabase({ target, migrate: false });
  try {
    return await exportUsage(db.prisma, window);
  } catch (error) {
    throw new Error(`could not read usage from ${url.replace(/\/\/[^@/]*@/, "//***@")}: ${(error as Error).message}`, { cause: error });
  } finally {
    await db.close();
  }
}
