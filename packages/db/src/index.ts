import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { childLogger } from "@monograph/telemetry";
import { PrismaClient } from "./generated/prisma/client.ts";
import { observeAdapter } from "./instrument.ts";
import { applyMigrations, type MigrationResult, type SqlExecutor } from "./migrate.ts";

export { Prisma, PrismaClient } from "./generated/prisma/client.ts";
export type * from "./generated/prisma/client.ts";
export * from "./migrate.ts";
export { isDatabaseUnavailable } from "./errors.ts";
export { isUniqueViolation, UNIQUE_VIOLATION } from "./errors.ts";
export { databaseTargetFrom, describeTarget, type DatabaseTarget } from "./target.ts";
import type { DatabaseTarget } from "./target.ts";
export type { DomainDb, DomainTransactionOptions, DomainTransactions, DomainTx, EventTableKey, ModelKey } from "./sealed.ts";

/**
 * The roles a process connects as, besides the owner: one per domain (its name), the outbox relay ("relay", which
 * also prunes the events tables), and the gateway's usage reporting ("usage"). Each is the PostgreSQL role
 * `monograph_<name>`, created and granted by the migrations (a domain's own migration creates its role).
 */
export type DatabaseRole = string;

/** The PostgreSQL role a `DatabaseRole` logs in as. */
export function postgresRoleName(role: DatabaseRole): string {
  if (!/^[a-z][a-z0-9_]*$/.test(role)) throw new Error(`Not a database role name: ${JSON.stringify(role)}`);
  return `monograph_${role}`;
}

export interface OpenDatabaseOptions {
  target: DatabaseTarget;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Called with every SQL statement Prisma sends; used by tests and benchmarks to count statements. */
  onQuery?: (sql: string) => void;
  /** Connections at most per pool (the owner's, and each role's): default 10. */
  poolMax?: number;
}

export interface DatabaseHandle {
  /** The owner role's client: migrations, tests and tools. Never hand it to a domain: give it `as(domain)`. */
  prisma: PrismaClient;
  /**
   * The client of one role: on PostgreSQL its own pool, logged in as `monograph_<role>`, so the database refuses what
   * the role was not granted (another domain's schema: SQLSTATE 42501). On PGlite (one embedded connection, one
   * user) the same client as `prisma`: there, the typed handle (`DomainDb`) is the boundary. Opened on first use.
   */
  as(role: DatabaseRole): PrismaClient;
  target: DatabaseTarget;
  migrations: MigrationResult;
  /** Resolves when the database answers a trivial query; used by /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const dbLog = childLogger("db");

// Any number fits: it only has to be the same for every process that migrates this project's databases.
const MIGRATION_LOCK_ID = 4_711_2026;

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const { target } = options;
  const shouldMigrate = options.migrate ?? true;
  const log = options.onQuery ? [{ emit: "event" as const, level: "query" as const }] : [];

  // Each target's driver is loaded when a process opens one: a process on PostgreSQL never loads the embedded
  // database's modules, nor a process on PGlite pg's (the distributed gateway's memory target, issue 11).
  if (target.kind === "pglite") {
    if (!target.dataDir.startsWith("memory://")) mkdirSync(target.dataDir, { recursive: true });
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import("@electric-sql/pglite"), import("pglite-prisma-adapter")]);
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
      as: () => prisma,
      target,
      migrations,
      ping: async () => void (await pglite.query("SELECT 1")),
      close: async () => {
        await prisma.$disconnect();
        await pglite.close();
      },
    };
  }

  const [{ default: pg }, { PrismaPg }] = await Promise.all([import("pg"), import("@prisma/adapter-pg")]);
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
  const max = options.poolMax ?? 10;
  const open = (config: pg.PoolConfig) => {
    // A server that stops answering (frozen, a lost network) must fail a request, not hang it: 5 s to get a connection.
    const pool = new pg.Pool({ ...config, max, connectionTimeoutMillis: 5_000 });
    // An idle connection the server ends (a restart, an administrator, a dropped test database) is an 'error' event on
    // the pool; unheard, it would crash the process. The pool replaces the connection on next use.
    pool.on("error", (error) => dbLog.warn({ err: error }, "an idle PostgreSQL connection was closed"));
    const prisma = new PrismaClient({ adapter: observeAdapter(new PrismaPg(pool)), log });
    attachQueryListener(prisma, options.onQuery);
    return { pool, prisma };
  };
  const owner = open({ connectionString: target.url });
  // A pool per role rather than SET ROLE on shared connections: a session can RESET ROLE (or SET ROLE to any role it
  // is a member of) from its own SQL, so only a login as the role itself holds against the code it serves. Pools open
  // connections on demand, so a role nobody uses here costs nothing (docs/adr/0016 weighs the connection count).
  const roles = new Map<DatabaseRole, ReturnType<typeof open>>();
  return {
    prisma: owner.prisma,
    as: (role) => {
      let opened = roles.get(role);
      if (!opened) {
        opened = open(roleConnection(target, role));
        roles.set(role, opened);
      }
      return opened.prisma;
    },
    target,
    migrations,
    ping: async () => void (await owner.pool.query("SELECT 1")),
    close: async () => {
      for (const { pool, prisma } of [owner, ...roles.values()]) {
        await prisma.$disconnect();
        await pool.end().catch(() => undefined);
      }
    },
  };
}

/**
 * The owner's URL with the role's user name; the password from the role's file under `rolePasswordDir` (read at each
 * new connection, so a rotated secret is picked up), or none (trust authentication).
 */
function roleConnection(target: Extract<DatabaseTarget, { kind: "postgres" }>, role: DatabaseRole): pg.PoolConfig {
  const user = postgresRoleName(role);
  const url = new URL(target.url);
  url.username = user;
  url.password = "";
  const dir = target.rolePasswordDir;
  if (!dir) return { connectionString: url.toString() };
  // Fields rather than a connection string: pg lets a connection string's (empty) password win over the function.
  const sslmode = url.searchParams.get("sslmode");
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    database: decodeURIComponent(url.pathname.slice(1)),
    user,
    password: async () => (await readFile(path.join(dir, user), "utf8")).trim(),
    ...(sslmode && !["disable", "allow", "prefer"].includes(sslmode) ? { ssl: { rejectUnauthorized: sslmode !== "require" } } : {}),
  };
}

function attachQueryListener(prisma: PrismaClient, onQuery: ((sql: string) => void) | undefined): void {
  if (!onQuery) return;
  (prisma as unknown as { $on(event: "query", cb: (e: { query: string }) => void): void }).$on("query", (event) => onQuery(event.query));
}
export { newestFirst, olderThan, type TimeKeyset } from "./keyset.ts";
