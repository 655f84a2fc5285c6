// Applies the committed migrations (prisma/migrations) to DATABASE_URL, or to the embedded database when unset, and
// exits: `npm run db:migrate` (prisma/migrate.ts runs this file), and the image's `migrate` command (the Kubernetes
// Job, the compose one-shot, each Deployment's initContainer), which runs it built, with plain node.
// See docs/adr/0002-data-layer.md for why this replays prisma/migrations itself instead of `prisma migrate deploy`.
import { databaseTargetFrom, describeTarget, openDatabase } from "@monograph/db";
import { childLogger, fromRepoRoot, loadConfig, sharedEnvSchema } from "@monograph/platform";

const config = loadConfig(sharedEnvSchema, process.env, "db:migrate");
const target = databaseTargetFrom(config.DATABASE_URL, fromRepoRoot(config.PGLITE_DATA_DIR ?? ".data/pglite"));
const db = await openDatabase({ target });
const { applied } = db.migrations;
childLogger("migrate").info(
  { database: describeTarget(target), applied },
  applied.length ? `applied ${applied.length} migration(s) to ${describeTarget(target)}: ${applied.join(", ")}` : `${describeTarget(target)} is up to date`,
);
await db.close();
