import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The committed Prisma migrations folder: prisma/migrations at the repository root. */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../prisma/migrations");

export interface Migration {
  name: string;
  sql: string;
  /** sha256 of migration.sql, the same checksum Prisma records, so `prisma migrate status` agrees with us. */
  checksum: string;
}

/** The small surface both PGlite and node-postgres offer: run a script of several statements, and a query. */
export interface SqlExecutor {
  exec(sql: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** A hash of every migration: names a migrated template database so a stale one is never reused. */
export function migrationsFingerprint(migrations: Migration[] = readMigrations()): string {
  const hash = createHash("sha256");
  for (const migration of migrations) hash.update(migration.name).update(migration.checksum);
  return hash.digest("hex").slice(0, 12);
}

// The same table Prisma Migrate keeps, so this runner and `prisma migrate deploy` can take turns on one database.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies the committed migrations that this database has not seen, each in its own transaction.
 *
 * Why not `prisma migrate deploy`: with the JavaScript schema engine it takes 10-20 s per run here and cannot
 * share an embedded PGlite directory with a running process, so `npm start` and every test would pay for it.
 * The SQL files are still authored by `prisma migrate dev` (npm run db:migrate:dev); this only replays them, and
 * records them exactly as Prisma does (docs/adr/0002-data-layer.md).
 */
export async function applyMigrations(db: SqlExecutor, migrations: Migration[] = readMigrations()): Promise<MigrationResult> {
  await db.exec(CREATE_MIGRATIONS_TABLE);
  const rows = await db.query<{ migration_name: string; checksum: string }>(
    `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const done = new Map(rows.map((row) => [row.migration_name, row.checksum]));
  const applied: string[] = [];
  for (const migration of migrations) {
    const recorded = done.get(migration.name);
    if (recorded !== undefined) {
      if (recorded !== migration.checksum) {
        throw new Error(`Migration ${migration.name} was changed after it was applied (checksum mismatch). Add a new migration instead.`);
      }
      continue;
    }
    await db.exec(`BEGIN;\n${migration.sql}\n;COMMIT;`).catch(async (error: unknown) => {
      await db.exec("ROLLBACK").catch(() => undefined);
      throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
    });
    await db.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    applied.push(migration.name);
  }
  return { applied };
}
