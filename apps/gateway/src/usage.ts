// Usage reporting: for each operation the gateway serves, which schema coordinates it uses, for which client, how
// often per hour. `monograph-schema check --usage` reads it back, so a breaking change that real traffic uses fails
// even when no recorded operation mentions it (docs/adr/0012-usage-based-schema-checks.md).
//
// On the request path: one Map lookup by the query hash Apollo Server already computed, two header reads and one
// counter increment. Everything else happens once per distinct document (its signature) or in the background: the
// signature (Apollo's usage-reporting normalisation, hashed), the coordinates (the schema check's own walk), and the
// writes, batched (one statement per flush, as a rule) and added to the database's counts, so several gateways on one
// database add up.
import { createHash } from "node:crypto";
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextDidResolveOperation } from "@apollo/server";
import { usageReportingSignature } from "@apollo/utils.usagereporting";
import { openDatabase, Prisma, type DatabaseHandle, type DatabaseTarget } from "@monograph/db";
import { collectUsageDetailed, operationDocument } from "@monograph/schema/runtime";
import type { GatewayConfig } from "./env.ts";

const HOUR_MS = 3_600_000;
/** Rows per INSERT: 5 parameters each stays far below PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 500;

/** The client's name and version headers, bounded: at most 64 characters of letters, digits, space and . _ - @ / : + */
export const CLIENT_NAME_HEADER = "apollographql-client-name";
export const CLIENT_VERSION_HEADER = "apollographql-client-version";
const MAX_CLIENT_FIELD = 64;

export function boundClientField(value: string | undefined, fallback: string): string {
  if (!value) return fallback;
  const bounded = value.slice(0, MAX_CLIENT_FIELD * 4).replace(/[^A-Za-z0-9 ._@/:+-]/g, "_").trim().slice(0, MAX_CLIENT_FIELD).trim();
  return bounded || fallback;
}

/** What the check needs of one operation signature, computed once. */
interface SignatureInfo {
  signature: string;
  operationName: string;
  kind: string;
  document: string;
  coordinates: string[];
  viaVariables: Record<string, string[]>;
  /** Written to usage.operations by this process already. */
  persisted: boolean;
}

interface PendingCount {
  op: SignatureInfo;
  clientName: string;
  clientVersion: string;
  bucket: number;
  count: number;
}

export interface UsageStats {
  /** Requests counted. */
  recorded: number;
  /** Requests not counted: the cap on distinct counters was reached, or the operation could not be described. */
  dropped: number;
  /** Signatures whose coordinates were computed (once each, while remembered). */
  signatures: number;
  /** Rows of usage.counts written (each adds to a count). */
  flushedCounts: number;
  flushes: number;
  failedFlushes: number;
}

/** The one part of the database usage reporting writes to. */
export type UsageWriter = Pick<DatabaseHandle["prisma"], "$executeRaw" | "$transaction">;

export interface UsageReporterOptions {
  db: UsageWriter;
  /** How often pending counts are written (default 10 s). */
  flushIntervalMs?: number;
  /**
   * The most distinct counters (signature × client × version × hour) held between flushes (default 5,000); beyond
   * it, requests are dropped and counted as dropped, never held. Reaching half of it starts a flush.
   */
  maxPending?: number;
  /** The most documents whose signature and coordinates are kept (default 2,000); the oldest are forgotten first. */
  maxSignatures?: number;
  /** Where problems go (a failed flush, dropped requests). Default: process warnings. */
  warn?: (message: string) => void;
  now?: () => number;
  /** Called when the reporter stops, after the last flush (e.g. to close a database it opened itself). */
  onStop?: () => Promise<void>;
}

export class UsageReporter {
  readonly stats: UsageStats = { recorded: 0, dropped: 0, signatures: 0, flushedCounts: 0, flushes: 0, failedFlushes: 0 };
  /** Off: requests are not counted (the benchmark switches it to measure what it costs). */
  enabled = true;
  private pending = new Map<string, PendingCount>();
  /** By query hash and operation name: the request path's only lookup. */
  private readonly documents = new Map<string, SignatureInfo>();
  /** By signature: a document written another way (spacing, aliases, literals) shares its signature's coordinates. */
  private readonly signatures = new Map<string, SignatureInfo>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  private flushScheduled = false;
  private stopped: Promise<void> | undefined;
  private droppedSinceWarning = 0;
  private readonly maxPending: number;
  private readonly maxSignatures: number;
  private readonly now: () => number;
  private readonly warn: (message: string) => void;

  constructor(private readonly options: UsageReporterOptions) {
    this.maxPending = options.maxPending ?? 5_000;
    this.maxSignatures = options.maxSignatures ?? 2_000;
    this.now = options.now ?? Date.now;
    this.warn = options.warn ?? ((message) => process.emitWarning(message, "UsageReportingWarning"));
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 10_000);
    this.timer.unref();
  }

  /** The Apollo Server plugin that counts each operation once it is resolved (parsed, validated, named). */
  plugin(): ApolloServerPlugin<BaseContext> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async (context) => this.record(context),
      }),
      serverWillStart: async () => ({ serverWillStop: () => this.stop() }),
    };
  }

  /** Counts one request. Never throws: usage reporting must not fail a request. */
  record(context: Pick<GraphQLRequestContextDidResolveOperation<BaseContext>, "queryHash" | "operationName" | "document" | "schema" | "request">): void {
    if (!this.enabled || this.stopped) return;
    try {
      const key = `${context.queryHash}\0${context.operationName ?? ""}`;
      let op = this.documents.get(key);
      if (!op) {
        op = this.describe(context);
        if (!op) return void this.drop();
        remember(this.documents, key, op, this.maxSignatures);
      }
      const headers = context.request.http?.headers;
      const clientName = boundClientField(headers?.get(CLIENT_NAME_HEADER), "unknown");
      const clientVersion = boundClientField(headers?.get(CLIENT_VERSION_HEADER), "");
      const bucket = Math.floor(this.now() / HOUR_MS) * HOUR_MS;
      const counterKey = `${op.signature}\0${clientName}\0${clientVersion}\0${bucket}`;
      const counter = this.pending.get(counterKey);
      if (counter) counter.count++;
      else if (this.pending.size >= this.maxPending) return void this.drop();
      else this.pending.set(counterKey, { op, clientName, clientVersion, bucket, count: 1 });
      this.stats.recorded++;
      if (this.pending.size >= this.maxPending / 2) this.scheduleFlush();
    } catch {
      this.drop();
    }
  }

  /** The signature and coordinates of a document not seen before; computed once per signature. */
  private describe(context: Pick<GraphQLRequestContextDidResolveOperation<BaseContext>, "operationName" | "document" | "schema">): SignatureInfo | undefined {
    const document = operationDocument(context.document, context.operationName);
    const operation = document?.definitions[0];
    if (!document || operation?.kind !== "OperationDefinition") return undefined;
    const operationName = operation.name?.value ?? "";
    const normalised = usageReportingSignature(document, operationName);
    const signature = createHash("sha256").update(`${operationName}\n${normalised}`).digest("hex");
    const known = this.signatures.get(signature);
    if (known) return known;
    const usage = collectUsageDetailed(context.schema, document);
    this.stats.signatures++;
    const info: SignatureInfo = {
      signature,
      operationName: operationName || "(anonymous)",
      kind: operation.operation,
      document: normalised,
      coordinates: [...usage.coordinates].sort(),
      viaVariables: Object.fromEntries(usage.viaVariables),
      persisted: false,
    };
    remember(this.signatures, signature, info, this.maxSignatures);
    return info;
  }

  private drop(): void {
    this.stats.dropped++;
    this.droppedSinceWarning++;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Off the request path: after the current request's work, not inside it.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /** Writes what is pending; resolves when it is in the database (or failed, then kept for the next flush). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return this.reportDrops();
    this.flushing = this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const operations = [...new Set(batch.map((c) => c.op))].filter((op) => !op.persisted).sort((a, b) => a.signature.localeCompare(b.signature));
    // One order for every gateway: two flushes that touch the same rows then never wait on each other in a cycle.
    batch.sort((a, b) => a.op.signature.localeCompare(b.op.signature) || a.clientName.localeCompare(b.clientName) || a.clientVersion.localeCompare(b.clientVersion) || a.bucket - b.bucket);
    const operationRows = (rows: SignatureInfo[]) =>
      Prisma.join(rows.map((op) => Prisma.sql`(${op.signature}, ${op.operationName}, ${op.kind}, ${op.document}, ${JSON.stringify(op.coordinates)}::jsonb, ${JSON.stringify(op.viaVariables)}::jsonb)`));
    const countRows = (rows: PendingCount[]) =>
      Prisma.join(rows.map((c) => Prisma.sql`(${c.op.signature}, ${c.clientName}, ${c.clientVersion}, ${new Date(c.bucket).toISOString()}::timestamptz, ${c.count}::bigint)`));
    const insertOperations = Prisma.sql`INSERT INTO "usage"."operations" ("signature", "operation_name", "kind", "document", "coordinates", "via_variables")`;
    const onOperationConflict = Prisma.sql`ON CONFLICT ("signature") DO UPDATE SET "last_seen" = now()`;
    const insertCounts = Prisma.sql`INSERT INTO "usage"."counts" ("signature", "client_name", "client_version", "bucket", "count")`;
    const onCountConflict = Prisma.sql`ON CONFLICT ("signature", "client_name", "client_version", "bucket") DO UPDATE SET "count" = "usage"."counts"."count" + EXCLUDED."count"`;
    const write = async (): Promise<void> => {
      if (operations.length <= ROWS_PER_STATEMENT && batch.length <= ROWS_PER_STATEMENT) {
        // The usual flush: one statement (the new signatures in a data-modifying CTE), atomic without a transaction.
        await (operations.length === 0
          ? this.options.db.$executeRaw`${insertCounts} VALUES ${countRows(batch)} ${onCountConflict}`
          : this.options.db.$executeRaw`WITH new_operations AS (${insertOperations} VALUES ${operationRows(operations)} ${onOperationConflict}) ${insertCounts} VALUES ${countRows(batch)} ${onCountConflict}`);
        return;
      }
      await this.options.db.$transaction([
        ...chunks(operations).map((rows) => this.options.db.$executeRaw`${insertOperations} VALUES ${operationRows(rows)} ${onOperationConflict}`),
        ...chunks(batch).map((rows) => this.options.db.$executeRaw`${insertCounts} VALUES ${countRows(rows)} ${onCountConflict}`),
      ]);
    };
    try {
      await write();
      for (const op of operations) op.persisted = true;
      this.stats.flushes++;
      this.stats.flushedCounts += batch.length;
    } catch (error) {
      this.stats.failedFlushes++;
      // Kept for the next flush, within the cap; what does not fit is dropped and counted.
      for (const counter of batch) {
        const key = `${counter.op.signature}\0${counter.clientName}\0${counter.clientVersion}\0${counter.bucket}`;
        const existing = this.pending.get(key);
        if (existing) existing.count += counter.count;
        else if (this.pending.size < this.maxPending) this.pending.set(key, counter);
        else {
          this.stats.dropped += counter.count;
          this.droppedSinceWarning += counter.count;
        }
      }
      this.warn(`usage reporting: writing ${batch.length} counters failed, kept for the next flush: ${(error as Error).message}`);
    }
    this.reportDrops();
  }

  private reportDrops(): void {
    if (this.droppedSinceWarning === 0) return;
    this.warn(`usage reporting: ${this.droppedSinceWarning} requests not counted (more than ${this.maxPending} distinct counters between flushes)`);
    this.droppedSinceWarning = 0;
  }

  /** Stops counting, writes what is pending, then runs onStop. Safe to call more than once. */
  stop(): Promise<void> {
    return (this.stopped ??= (async () => {
      clearInterval(this.timer);
      try {
        await this.flush();
      } finally {
        await this.options.onStop?.();
      }
    })());
  }
}

/** A bounded map: past the cap, the oldest entry goes. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, cap: number): void {
  if (map.size >= cap) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) out.push(rows.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}

/**
 * Usage reporting for a gateway, or undefined when it is off. It writes to the gateway's database (`db`, in the
 * monolith and hybrid shapes). A gateway with every subgraph remote has no database of its own: it opens one for
 * usage only when DATABASE_URL is set (PostgreSQL, which the subgraphs share); otherwise usage reporting is off
 * there, since an embedded PGlite folder would be one more database nobody reads.
 */
export async function startUsageReporting(options: {
  config: GatewayConfig;
  db?: DatabaseHandle;
  target: DatabaseTarget;
  warn?: (message: string) => void;
}): Promise<UsageReporter | undefined> {
  if (!options.config.usageReporting) return undefined;
  if (options.db) return new UsageReporter({ db: options.db.as("usage"), warn: options.warn });
  if (options.target.kind !== "postgres") return undefined;
  const own = await openDatabase({ target: options.target });
  return new UsageReporter({ db: own.as("usage"), warn: options.warn, onStop: () => own.close() });
}
