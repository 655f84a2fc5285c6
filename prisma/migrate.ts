// `npm run db:migrate`: applies the committed migrations to DATABASE_URL, or to the embedded database when unset.
// See docs/adr/0002-data-layer.md for why this replays prisma/migrations itself instead of `prisma migrate deploy`.
import { databaseTargetFrom, describeTarget, openDatabase } from "@monograph/db";
import { fromRepoRoot, loadConfig, sharedEnvSchema } from "@monograph/platform";

const config = loadConfig(sharedEnvSchema, process.env, "db:migrate");
const target = databaseTargetFrom(config.DATABASE_URL, fromRepoRoot(config.PGLITE_DATA_DIR ?? ".data/pglite"));
const db = await openDatabase({ target });
console.log(
  db.migrations.applied.length
    ? `Applied ${db.migrations.applied.length} migration(s) to ${describeTarget(target)}: ${db.migrations.applied.join(", ")}`
    : `${describeTarget(target)} is up to date.`,
);
await db.close();
