// `npm run db:seed`: loads the demo data (README: seeded accounts and products) into empty tables, on DATABASE_URL
// or the embedded database. `npm start` does this by itself in development. Refused when NODE_ENV=production: the
// demo accounts' passwords are public.
import { databaseTargetFrom, describeTarget, openDatabase } from "@monograph/db";
import { DOMAIN_NAMES, loadDomains } from "@monograph/domains";
import { fromRepoRoot, loadConfig, sharedEnvSchema } from "@monograph/platform";

const config = loadConfig(sharedEnvSchema, process.env, "db:seed");
if (config.NODE_ENV === "production") {
  console.error("[db:seed] refused: NODE_ENV=production. Demo data (with the README's public passwords) is never loaded into a production database.");
  process.exit(1);
}
const target = databaseTargetFrom(config.DATABASE_URL, fromRepoRoot(config.PGLITE_DATA_DIR ?? ".data/pglite"));
const db = await openDatabase({ target });
try {
  // Every registered domain's demo data, by its own seed.
  const rows: string[] = [];
  for (const module of await loadDomains(DOMAIN_NAMES)) {
    const added = (await module.seed?.(db.prisma)) ?? 0;
    if (module.seed) rows.push(`${module.name} ${added} rows`);
  }
  console.log(`Seeded ${describeTarget(target)}: ${rows.join(", ")} (tables that already had rows were left alone).`);
} finally {
  await db.close();
}
