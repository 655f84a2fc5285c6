import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { applyMigrations, migrationsFingerprint } from "./migrate.ts";
import { openDatabase, type DatabaseHandle, type DatabaseTarget, type OpenDatabaseOptions } from "./index.ts";

/**
 * A fresh, migrated, empty database for one test file, of the kind the test run asks for: a new PostgreSQL
 * database when DATABASE_URL is set (CI), otherwise an embedded PGlite. `drop()` removes it.
 */
export interface TestDatabase {
  target: DatabaseTarget;
  /** Opens a Prisma client on it (migrations already applied). */
  open(options?: Omit<OpenDatabaseOptions, "target">): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

export function testDatabaseKind(): "postgres" | "pglite" {
  return process.env.DATABASE_URL ? "postgres" : "pglite";
}

/**
 * @param inMemory for PGlite, keep it in memory (only this process can use it). Pass false when another process
 *   (a subgraph started as its own process) must open it: it then lives in a temporary folder.
 */
export async function createTestDatabase({ inMemory = true }: { inMemory?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = inMemory ? "memory://" : mkdtempSync(path.join(tmpdir(), "monograph-pglite-"));
    const target: DatabaseTarget = { kind: "pglite", dataDir };
    if (!inMemory) {
      const handle = await openDatabase({ target });
      await handle.close();
    }
    return {
      target,
      open: (options) => openDatabase({ ...options, target }),
      drop: async () => {
        if (!inMemory) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  const template = await ensureTemplateDatabase(serverUrl);
  const name = `monograph_test_${randomBytes(6).toString("hex")}`;
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  const target: DatabaseTarget = { kind: "postgres", url: withDatabase(serverUrl, name) };
  return {
    target,
    open: (options) => openDatabase({ ...options, target }),
    drop: () => withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Migrates one template database per set of migrations, once, so each test database is a cheap copy. */
async function ensureTemplateDatabase(serverUrl: string): Promise<string> {
  const name = `monograph_template_${migrationsFingerprint()}`;
  await withAdmin(serverUrl, async (admin) => {
    await admin.query("SELECT pg_advisory_lock(4711)");
    try {
      const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.rowCount) return;
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${building}"`);
      const client = new pg.Client({ connectionString: withDatabase(serverUrl, building) });
      await client.connect();
      try {
        await applyMigrations({
          exec: async (sql) => void (await client.query(sql)),
          query: async (sql, params) => (await client.query(sql, params)).rows,
        });
      } finally {
        await client.end();
      }
      // Renamed only when complete, so a crashed run never leaves a half-migrated template behind.
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    } finally {
      await admin.query("SELECT pg_advisory_unlock(4711)");
    }
  });
  return name;
}

async function withAdmin<T>(serverUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
