import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { captureLogs } from "@monograph/telemetry/testing";
import { z } from "zod";
import { DEV_INTERNAL_SECRET, DEV_JWT_SECRET, eventsSettingsFrom, loadConfig, productionSecretProblems, refuseDevSecretsInProduction, sharedEnvSchema, shouldSeedDemoData } from "./config.ts";

const REAL_JWT_SECRET = "a-real-production-jwt-secret-0123";
const REAL_INTERNAL_SECRET = "a-real-production-internal-secret-0123";
const productionSchema = sharedEnvSchema.superRefine(refuseDevSecretsInProduction);

class Exited extends Error {
  constructor(readonly code: string | number | null | undefined) {
    super(`process.exit(${code})`);
  }
}

/** Runs loadConfig with process.exit replaced by a spy and the log captured; returns what it logged and the exit code. */
function loadExpectingExit(schema: z.ZodType, env: NodeJS.ProcessEnv, appName?: string): { code: unknown; lines: string[] } {
  const exit = vi.spyOn(process, "exit").mockImplementation((code) => {
    throw new Exited(code);
  });
  const logs = captureLogs();
  let thrown: unknown;
  try {
    loadConfig(schema, env, appName);
  } catch (caught) {
    thrown = caught;
  } finally {
    logs.restore();
  }
  expect(thrown).toBeInstanceOf(Exited);
  expect(exit).toHaveBeenCalledTimes(1);
  return { code: (thrown as Exited).code, lines: logs.lines.flatMap((line) => `[${String(line.component)}] ${String(line.msg)}`.split("\n")) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("loadConfig", () => {
  it("when the environment is valid, then it returns the parsed values with defaults filled in", () => {
    const config = loadConfig(sharedEnvSchema, { DATABASE_URL: "postgres://localhost:5432/monograph", HOST: "0.0.0.0", IGNORED: "x" });
    expect(config).toEqual({
      NODE_ENV: "development",
      DATABASE_URL: "postgres://localhost:5432/monograph",
      JWT_SECRET: DEV_JWT_SECRET,
      INTERNAL_SECRET: DEV_INTERNAL_SECRET,
      HOST: "0.0.0.0",
      // The edge's defaults (edge-config.ts).
      MAX_DEPTH: 8,
      MAX_ALIASES: 15,
      MAX_TOKENS: 1000,
      MAX_DIRECTIVES: 50,
      MAX_ROOT_FIELDS: 10,
      MAX_COST: 10_000,
      COST_LIST_SIZE: 10,
      MAX_BODY_BYTES: 1024 * 1024,
      HEADERS_TIMEOUT_MS: 10_000,
      BODY_TIMEOUT_MS: 30_000,
      MAX_IN_FLIGHT: 256,
      MAX_BATCH: 10,
      CORS_ORIGINS: [],
      ACCESS_TOKEN_TTL: 900,
      REFRESH_TOKEN_TTL: 2_592_000,
      // Events: claims and retention (in seconds; eventsSettingsFrom turns them into the relay's options).
      OUTBOX_CLAIM_LEASE: 30,
      OUTBOX_RETENTION: 604_800,
      INBOX_RETENTION: 604_800,
      RETENTION_BATCH_SIZE: 500,
      RETENTION_INTERVAL: 60,
    });
  });

  it("when the schema coerces values, then the returned config holds the coerced types", () => {
    const schema = z.object({ PORT: z.coerce.number().int().default(4000), DEBUG: z.enum(["true", "false"]).transform((v) => v === "true") });
    expect(loadConfig(schema, { PORT: "4010", DEBUG: "true" })).toEqual({ PORT: 4010, DEBUG: true });
  });

  it("when no env is passed, then it reads process.env", () => {
    vi.stubEnv("MONOGRAPH_CONFIG_TEST_VALUE", "from-process-env");
    try {
      expect(loadConfig(z.object({ MONOGRAPH_CONFIG_TEST_VALUE: z.string() }))).toEqual({ MONOGRAPH_CONFIG_TEST_VALUE: "from-process-env" });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("when several settings are invalid, then every problem is printed at once, naming the app, and the process exits with 1", () => {
    const { code, lines } = loadExpectingExit(sharedEnvSchema, { NODE_ENV: "staging", DATABASE_URL: "not a url", JWT_SECRET: "short" }, "orders-subgraph");
    expect(code).toBe(1);
    expect(lines[0]).toBe("[orders-subgraph] invalid configuration:");
    expect(lines.slice(1)).toHaveLength(3);
    expect(lines.slice(1).map((line) => /^ {2}- (\w+): /.exec(line)?.[1])).toEqual(["NODE_ENV", "DATABASE_URL", "JWT_SECRET"]);
  });

  it("when production runs with the development secrets and another setting is invalid, then all three problems are reported together", () => {
    const { code, lines } = loadExpectingExit(productionSchema, { NODE_ENV: "production", DATABASE_URL: "nope" }, "gateway");
    expect(code).toBe(1);
    expect(lines).toEqual([
      "[gateway] invalid configuration:",
      expect.stringMatching(/^ {2}- DATABASE_URL: /),
      "  - JWT_SECRET: set a real secret in production",
      "  - INTERNAL_SECRET: set a real secret in production",
    ]);
  });

  it("when an issue has no path, then it is printed as (root), and the default app name is used", () => {
    const schema = z.object({ A: z.string().optional() }).refine(() => false, { message: "nothing is ever right" });
    const { lines } = loadExpectingExit(schema, {});
    expect(lines).toEqual(["[monograph] invalid configuration:", "  - (root): nothing is ever right"]);
  });

  it("when a secret value is invalid, then the report names the setting without printing the value", () => {
    const { lines } = loadExpectingExit(sharedEnvSchema, { INTERNAL_SECRET: "tiny-secret" });
    expect(lines.join("\n")).toContain("INTERNAL_SECRET");
    expect(lines.join("\n")).not.toContain("tiny-secret");
  });
});

describe("refuseDevSecretsInProduction", () => {
  it("when NODE_ENV=production and both development secrets are in use (set or defaulted), then both are refused", () => {
    for (const env of [{ NODE_ENV: "production" }, { NODE_ENV: "production", JWT_SECRET: DEV_JWT_SECRET, INTERNAL_SECRET: DEV_INTERNAL_SECRET }]) {
      const result = productionSchema.safeParse(env);
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
        ["JWT_SECRET", "set a real secret in production"],
        ["INTERNAL_SECRET", "set a real secret in production"],
      ]);
    }
  });

  it("when NODE_ENV=production and only one development secret remains, then only that one is refused", () => {
    const result = productionSchema.safeParse({ NODE_ENV: "production", JWT_SECRET: REAL_JWT_SECRET });
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["INTERNAL_SECRET"]);
  });

  it("when NODE_ENV=production and both secrets are real, then the config is accepted", () => {
    const result = productionSchema.safeParse({ NODE_ENV: "production", JWT_SECRET: REAL_JWT_SECRET, INTERNAL_SECRET: REAL_INTERNAL_SECRET });
    expect(result.success).toBe(true);
    expect(result.data).toMatchObject({ NODE_ENV: "production", JWT_SECRET: REAL_JWT_SECRET, INTERNAL_SECRET: REAL_INTERNAL_SECRET });
  });

  it.each([["development"], ["test"], [undefined]])("when NODE_ENV is %s, then the development secrets are accepted", (nodeEnv) => {
    const result = productionSchema.safeParse(nodeEnv ? { NODE_ENV: nodeEnv } : {});
    expect(result.success).toBe(true);
    expect(result.data).toMatchObject({ JWT_SECRET: DEV_JWT_SECRET, INTERNAL_SECRET: DEV_INTERNAL_SECRET });
  });

  it("when loadConfig is given production with the development secrets, then the process refuses to start", () => {
    const { code, lines } = loadExpectingExit(productionSchema, { NODE_ENV: "production" });
    expect(code).toBe(1);
    expect(lines.slice(1)).toEqual(["  - JWT_SECRET: set a real secret in production", "  - INTERNAL_SECRET: set a real secret in production"]);
  });
});

describe("secrets in production", () => {
  const issuesFor = (env: Record<string, string>) =>
    productionSchema.safeParse({ NODE_ENV: "production", JWT_SECRET: REAL_JWT_SECRET, INTERNAL_SECRET: REAL_INTERNAL_SECRET, ...env }).error?.issues.map((issue) => [issue.path.join("."), issue.message]) ?? [];

  it.each([
    ["random base64 (openssl rand -base64 48)", randomBytes(48).toString("base64")],
    ["random hex (openssl rand -hex 32)", randomBytes(32).toString("hex")],
    ["random hex of 32 characters", randomBytes(16).toString("hex")],
    ["a long passphrase with separators", "correct-horse-battery-staple-orbit-lantern"],
  ])("when the secret is %s, then it is accepted", (_label, secret) => {
    expect(productionSecretProblems(secret)).toEqual([]);
    expect(issuesFor({ JWT_SECRET: secret })).toEqual([]);
  });

  it.each([
    ["31 bytes", "a-real-production-secret-012345", /is 31 bytes long; use at least 32/],
    ["one character repeated", "x".repeat(40), /only 1 distinct character/],
    ["few distinct characters", "abababababcabababababcababababab12", /only 5 distinct character/],
    ["digits only", "0192837465019283746501928374650192", /uses digits only/],
    ["lower-case letters only", "thequickbrownfoxjumpsoverthelazydog", /uses lower-case letters only/],
    ["a short sequence repeated", "0123456789abcdef0123456789abcdef", /one shorter sequence repeated/],
  ])("when the secret has %s, then it is refused with a reason that does not print it", (_label, secret, reason) => {
    const problems = productionSecretProblems(secret);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(reason)]));
    for (const problem of problems) expect(problem).not.toContain(secret);
    expect(issuesFor({ INTERNAL_SECRET: secret }).map(([path]) => path)).toEqual(problems.map(() => "INTERNAL_SECRET"));
  });

  it("when both secrets are weak in several ways, then every problem of each is reported at start-up", () => {
    const { code, lines } = loadExpectingExit(productionSchema, { NODE_ENV: "production", JWT_SECRET: "aaaaaaaaaaaaaaaaaaaa", INTERNAL_SECRET: "12121212121212121212" }, "gateway");
    expect(code).toBe(1);
    expect(lines).toEqual([
      "[gateway] invalid configuration:",
      "  - JWT_SECRET: is 20 bytes long; use at least 32 in production (e.g. openssl rand -base64 48)",
      "  - JWT_SECRET: has only 1 distinct character(s); use at least 8 (a random value)",
      "  - JWT_SECRET: uses lower-case letters only; mix at least two kinds of characters (a random value)",
      "  - JWT_SECRET: is one shorter sequence repeated; use a random value",
      "  - INTERNAL_SECRET: is 20 bytes long; use at least 32 in production (e.g. openssl rand -base64 48)",
      "  - INTERNAL_SECRET: has only 2 distinct character(s); use at least 8 (a random value)",
      "  - INTERNAL_SECRET: uses digits only; mix at least two kinds of characters (a random value)",
      "  - INTERNAL_SECRET: is one shorter sequence repeated; use a random value",
    ]);
  });

  it("when both secrets are the same value, then it is refused", () => {
    expect(issuesFor({ INTERNAL_SECRET: REAL_JWT_SECRET })).toEqual([["INTERNAL_SECRET", "must differ from JWT_SECRET"]]);
  });

  it("when not in production, then weak secrets of 16 characters or more are still accepted (development, tests)", () => {
    expect(productionSchema.safeParse({ NODE_ENV: "test", JWT_SECRET: "aaaaaaaaaaaaaaaa", INTERNAL_SECRET: "aaaaaaaaaaaaaaaa" }).success).toBe(true);
  });
});

describe("demo data by environment", () => {
  it.each([
    [{ NODE_ENV: "development" }, true],
    [{ NODE_ENV: "development", SEED_DEMO_DATA: "false" }, false],
    [{ NODE_ENV: "test" }, false],
    [{ NODE_ENV: "test", SEED_DEMO_DATA: "true" }, true],
    [{ NODE_ENV: "production", JWT_SECRET: REAL_JWT_SECRET, INTERNAL_SECRET: REAL_INTERNAL_SECRET }, false],
    [{ NODE_ENV: "production", JWT_SECRET: REAL_JWT_SECRET, INTERNAL_SECRET: REAL_INTERNAL_SECRET, SEED_DEMO_DATA: "false" }, false],
  ])("when the environment is %o, then seeding is %s", (env, expected) => {
    expect(shouldSeedDemoData(productionSchema.parse(env))).toBe(expected);
  });

  it("when production asks for demo data, then the configuration is refused", () => {
    const result = productionSchema.safeParse({ NODE_ENV: "production", JWT_SECRET: REAL_JWT_SECRET, INTERNAL_SECRET: REAL_INTERNAL_SECRET, SEED_DEMO_DATA: "true" });
    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([["SEED_DEMO_DATA", "demo data is never loaded in production"]]);
  });
});

describe("token lifetimes", () => {
  it("when unset, then access tokens live 15 minutes and refresh tokens 30 days", () => {
    expect(sharedEnvSchema.parse({})).toMatchObject({ ACCESS_TOKEN_TTL: 900, REFRESH_TOKEN_TTL: 30 * 86_400 });
  });

  it.each([
    ["600", 600],
    ["90s", 90],
    ["5m", 300],
    ["1h", 3600],
  ])("when ACCESS_TOKEN_TTL is %s, then it is %i seconds", (value, seconds) => {
    expect(sharedEnvSchema.parse({ ACCESS_TOKEN_TTL: value }).ACCESS_TOKEN_TTL).toBe(seconds);
  });

  it("when REFRESH_TOKEN_TTL is given in days, then it is converted to seconds", () => {
    expect(sharedEnvSchema.parse({ REFRESH_TOKEN_TTL: "7d" }).REFRESH_TOKEN_TTL).toBe(7 * 86_400);
  });

  it("when the lifetimes are malformed or out of bounds, then every problem is reported with the bounds", () => {
    const { lines } = loadExpectingExit(sharedEnvSchema, { ACCESS_TOKEN_TTL: "2h", REFRESH_TOKEN_TTL: "soon" }, "gateway");
    expect(lines).toEqual([
      "[gateway] invalid configuration:",
      "  - ACCESS_TOKEN_TTL: must be between 1m and 1h (got 2h)",
      '  - REFRESH_TOKEN_TTL: "soon" is not a lifetime: use seconds, or a number with s, m, h or d (e.g. 15m)',
    ]);
    for (const value of ["30", "-5m", "1.5h", "0"]) expect(sharedEnvSchema.safeParse({ ACCESS_TOKEN_TTL: value }).success, value).toBe(false);
  });
});

describe("events settings (claims and retention)", () => {
  it("when nothing is set, then claims last 30 s and delivered outbox rows and inbox rows are kept 7 days, swept every minute 500 at a time", () => {
    expect(eventsSettingsFrom(sharedEnvSchema.parse({}))).toEqual({
      claimLeaseMs: 30_000,
      retention: { outboxWindowMs: 7 * 86_400_000, inboxWindowMs: 7 * 86_400_000, batchSize: 500, intervalMs: 60_000 },
    });
  });

  it("when durations and a batch size are set, then they are read with their units", () => {
    const settings = eventsSettingsFrom(sharedEnvSchema.parse({ OUTBOX_RETENTION: "2s", INBOX_RETENTION: "1d", RETENTION_BATCH_SIZE: "50", RETENTION_INTERVAL: "1", OUTBOX_CLAIM_LEASE: "5s" }));
    expect(settings).toEqual({ claimLeaseMs: 5_000, retention: { outboxWindowMs: 2_000, inboxWindowMs: 86_400_000, batchSize: 50, intervalMs: 1_000 } });
  });

  it("when a value is not a duration or out of range, then the configuration is refused naming the setting", () => {
    const result = sharedEnvSchema.safeParse({ INBOX_RETENTION: "forever", RETENTION_BATCH_SIZE: "0", OUTBOX_CLAIM_LEASE: "2h" });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join(".")).sort()).toEqual(["INBOX_RETENTION", "OUTBOX_CLAIM_LEASE", "RETENTION_BATCH_SIZE"]);
  });
});
