import { afterEach, describe, expect, it, vi } from "vitest";
import { captureLogs } from "@monograph/telemetry/testing";
import { z } from "zod";
import { DEV_INTERNAL_SECRET, DEV_JWT_SECRET, loadConfig, refuseDevSecretsInProduction, sharedEnvSchema } from "./config.ts";

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
