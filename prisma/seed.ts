// `npm run db:seed`: loads the demo data (README: seeded accounts and products) into empty tables.
// `npm start` does this by itself on the embedded database; use this for a PostgreSQL set by DATABASE_URL.
import { databaseTargetFrom, describeTarget, openDatabase } from "@monograph/db";
import { seedInventory } from "@monograph/inventory-subgraph";
import { fromRepoRoot, loadConfig, sharedEnvSchema } from "@monograph/platform";
import { seedUsers } from "@monograph/users-subgraph";

const config = loadConfig(sharedEnvSchema, process.env, "db:seed");
const target = databaseTargetFrom(config.DATABASE_URL, fromRepoRoot(config.PGLITE_DATA_DIR ?? ".data/pglite"));
const db = await openDatabase({ target });
try {
  const users = await seedUsers(db.prisma);
  const products = await seedInventory(db.prisma);
  console.log(`Seeded ${describeTarget(target)}: ${users} users, ${products} products (tables that already had rows were left alone).`);
} finally {
  await db.close();
}
