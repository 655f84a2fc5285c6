import { captureLogs } from "@monograph/platform/testing";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { openDatabase, type DatabaseTarget } from "@monograph/db";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import { fromRepoRoot, REPO_ROOT } from "@monograph/platform";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadGatewayConfig } from "../../src/env.ts";
import { startMonograph } from "../../src/monograph.ts";
import { codesOf, graphqlClient } from "../support/client.ts";

// Demo data depends on the environment, never on the database: development seeds empty tables (PGlite and
// PostgreSQL alike), production never does, and the README's admin account must not exist there.
process.env.APOLLO_TELEMETRY_DISABLED ??= "true";

const PRODUCTION_SECRETS = { JWT_SECRET: "Demo-data-test-jwt-secret-0123456789", INTERNAL_SECRET: "Demo-data-test-internal-secret-0123456789" };
const admin = SEEDED_USERS.find((user) => user.role === "ADMIN")!;
// The recorded SignIn operation, sent as the web client sends it.
const SIGN_IN = readFileSync(fromRepoRoot("packages/schema/operations/web/sign-in.graphql"), "utf8");
// Recorded operations: in production the safelist runs nothing else.
const PRODUCTS = readFileSync(fromRepoRoot("packages/schema/operations/web/products.graphql"), "utf8");

/** The environment variables that make an entry point use this database. */
function databaseEnv(target: DatabaseTarget): NodeJS.ProcessEnv {
  return target.kind === "postgres" ? { DATABASE_URL: target.url } : { PGLITE_DATA_DIR: target.dataDir };
}

async function countRows(target: DatabaseTarget): Promise<{ users: number; products: number }> {
  const db = await openDatabase({ target });
  try {
    return { users: await db.prisma.user.count(), products: await db.prisma.product.count() };
  } finally {
    await db.close();
  }
}

/** `npm run db:seed` with this environment: its exit code and what it printed. */
function dbSeed(env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  const { DATABASE_URL: _url, PGLITE_DATA_DIR: _dir, NODE_ENV: _env, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "prisma/seed.ts"], { cwd: REPO_ROOT, env: { ...inherited, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe(`demo data (${testDatabaseKind()})`, () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase({ inMemory: false });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await database?.drop();
  });

  it("when the API starts in development on an empty database, then it seeds the demo data, says so, and leaves it alone on the next start", async () => {
    let logs = captureLogs();
    const config = loadGatewayConfig({ NODE_ENV: "development", PORT: "0", ...databaseEnv(database.target) });
    const first = await startMonograph({ config });
    try {
      const signIn = await graphqlClient(first.graphqlUrl).ok(SIGN_IN, { input: { email: admin.email, password: admin.password } });
      expect(signIn.signIn.user.role).toBe("ADMIN");
      expect((await graphqlClient(first.graphqlUrl).ok(PRODUCTS)).products.totalCount).toBeGreaterThanOrEqual(45);
    } finally {
      await first.stop();
      logs.restore();
    }
    expect(logs.matching("seeded demo data")).toEqual([expect.objectContaining({ rows: { users: 6, inventory: expect.any(Number) } })]);

    logs = captureLogs();
    try {
      const second = await startMonograph({ config });
      await second.stop();
    } finally {
      logs.restore();
    }
    expect(logs.matching("seeded")).toEqual([]);
    expect((await countRows(database.target)).users).toBe(SEEDED_USERS.length);
  });

  it("when the API starts with NODE_ENV=production on a fresh database, then nothing is seeded and the README's admin cannot sign in", async () => {
    const running = await startMonograph({ config: loadGatewayConfig({ NODE_ENV: "production", PORT: "0", ...PRODUCTION_SECRETS, ...databaseEnv(database.target) }) });
    try {
      const signIn = await graphqlClient(running.graphqlUrl).request(SIGN_IN, { input: { email: admin.email, password: admin.password } });
      expect(codesOf(signIn)).toEqual(["UNAUTHENTICATED"]);
      expect((await graphqlClient(running.graphqlUrl).ok(PRODUCTS)).products.totalCount).toBe(0);
    } finally {
      await running.stop();
    }
    expect(await countRows(database.target)).toEqual({ users: 0, products: 0 });
  });

  it("when production is asked to seed anyway, then it refuses to start", async () => {
    const config = loadGatewayConfig({ NODE_ENV: "production", PORT: "0", ...PRODUCTION_SECRETS });
    await expect(startMonograph({ config, database: database.target, seed: true })).rejects.toThrow(/never loaded in production/);
    expect(await countRows(database.target)).toEqual({ users: 0, products: 0 });
  });

  it("when db:seed runs with NODE_ENV=production, then it refuses with a clear message, exits non-zero and touches nothing", async () => {
    const { code, output } = await dbSeed({ NODE_ENV: "production", ...PRODUCTION_SECRETS, ...databaseEnv(database.target) });
    expect(code).not.toBe(0);
    expect(output).toMatch(/refused: NODE_ENV=production/);
    expect(await countRows(database.target)).toEqual({ users: 0, products: 0 });
  });

  it("when db:seed runs in development, then it seeds the empty tables on demand", async () => {
    const { code, output } = await dbSeed({ NODE_ENV: "development", ...databaseEnv(database.target) });
    expect({ code, output }).toMatchObject({ code: 0, output: expect.stringMatching(/Seeded .*: users 6 rows, inventory \d+ rows/) });
    expect(await countRows(database.target)).toMatchObject({ users: SEEDED_USERS.length });
  });
});
