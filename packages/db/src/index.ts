import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { childLogger } from "@monograph/telemetry";
import { PrismaClient } from "./generated/prisma/client.ts";
import { observeAdapter } from "./instrument.ts";
import { applyMigrations, type MigrationResult, type SqlExecutor } from "./migrate.ts";

export { Prisma, PrismaClient } from "./generated/prisma/client.ts";
export type * from "./generated/prisma/client.ts";
export * from "./migrate.ts";
export { isDatabaseUnavailable } from "./errors.ts";
export { isUniqueViolation, UNIQUE_VIOLATION } from "./errors.ts";
export type { DomainDb, DomainTransactionOptions, DomainTransactions, DomainTx, EventTableKey, ModelKey } from "./sealed.ts";

/** Where the data lives: a real PostgreSQL (`url`) or the embedded PGlite (`dataDir`, or "memory://"). */
export type DatabaseTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

export interface OpenDatabaseOptions {
  target: DatabaseTarget;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Called with every SQL statement Prisma sends; used by tests and benchmarks to count statements. */
  onQuery?: (sql: string) => void;
}

export interface DatabaseHandle {
  prisma: PrismaClient;
  target: DatabaseTarget;
  migrations: MigrationResult;
  /** Resolves when the database answers a trivial query; used by /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Chooses the database the way every entry point does: DATABASE_URL wins; otherwise an embedded PGlite in
 * `defaultDataDir`. Called by each app's config module, never by domain code.
 */
export function databaseTargetFrom(databaseUrl: string | undefined, defaultDataDir: string): DatabaseTarget {
  return databaseUrl ? { kind: "postgres", url: databaseUrl } : { kind: "pglite", dataDir: defaultDataDir };
}

export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "pglite") return `embedded PGlite (${target.dataDir})`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

const dbLog = childLogger("db");

// Any number fits: it only has to be the same for every process that migrates this project's databases.
const MIGRATION_LOCK_ID = 4_711_2026;

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const { target } = options;
  const shouldMigrate = options.migrate ?? true;
  const log = options.onQuery ? [{ emit: "event" as const, level: "query" as const }] : [];

  if (target.kind === "pglite") {
    if (!target.dataDir.startsWith("memory://")) mkdirSync(target.dataDir, { recursive: true });
    const pglite = await PGlite.create({ dataDir: target.dataDir });
    const executor: SqlExecutor = {
      exec: async (sql) => void (await pglite.exec(sql)),
      query: async (sql, params) => (await pglite.query(sql, params)).rows as never,
    };
    const migrations = shouldMigrate ? await applyMigrations(executor) : { applied: [] };
    // pglite-prisma-adapter 0.6 is typed against driver-adapter-utils 6.10; the runtime contract is the one the
    // 6.19 client speaks (db.test.ts runs every query shape we use through it).
    const adapter = new PrismaPGlite(pglite) as unknown as PrismaPg;
    const prisma = new PrismaClient({ adapter: observeAdapter(adapter), log });
    attachQueryListener(prisma, options.onQuery);
    return {
      prisma,
      target,
      migrations,
      ping: async () => void (await pglite.query("SELECT 1")),
      close: async () => {
        await prisma.$disconnect();
        await pglite.close();
      },
    };
  }

  let migrations: MigrationResult = { applied: [] };
  if (shouldMigrate) {
    // A dedicated connection: the advisory lock is per session, and it keeps two processes that start together
    // (npm run start:distributed) from migrating the same database twice.
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
      migrations = await applyMigrations({
        exec: async (sql) => void (await client.query(sql)),
        query: async (sql, params) => (await client.query(sql, params)).rows,
      });
    } finally {
      await client.end();
    }
  }
  // A server that stops answering (frozen, a lost network) must fail a request, not hang it: 5 s to get a connection.
  const pool = new pg.Pool({ connectionString: target.url, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle connection the server ends (a restart, an administrator, a dropped test database) is an 'error' event on
  // the pool; unheard, it would crash the process. The pool replaces the connection on next use.
  pool.on("error", (error) => dbLog.warn({ err: error }, "an idle PostgreSQL connection was closed"));
  const prisma = new PrismaClient({ adapter: observeAdapter(new PrismaPg(pool)), log });
  attachQueryListener(prisma, options.onQuery);
  return {
    prisma,
    target,
    migrations,
    ping: async () => void (await pool.query("SELECT 1")),
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

function attachQueryListener(prisma: PrismaClient, onQuery: ((sql: string) => void) | undefined): void {
  if (!onQuery) return;
  (prisma as unknown as { $on(event: "query", cb: (e: { query: string }) => void): void }).$on("query", (event) => onQuery(event.query));
}
