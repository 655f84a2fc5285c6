import { describe, expect, it } from "vitest";
import { z } from "zod";
import { sharedEnvSchema } from "./config.ts";
import { edgeSettingsFrom } from "./edge-config.ts";
import { DEFAULT_HTTP_EDGE } from "./http.ts";
import { DEFAULT_OPERATION_LIMITS } from "./limits.ts";

const parse = (env: Record<string, string>) => sharedEnvSchema.safeParse(env);
const issues = (env: Record<string, string>) => {
  const result = parse(env);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
};

describe("the edge's environment variables", () => {
  it("when none is set, then the settings are the defaults of limits.ts and http.ts", () => {
    const settings = edgeSettingsFrom(sharedEnvSchema.parse({}));
    expect(settings.limits).toEqual(DEFAULT_OPERATION_LIMITS);
    expect(settings.http).toEqual({ ...DEFAULT_HTTP_EDGE, deadlineMs: undefined });
  });

  it("when each is set, then it reaches its setting, numbers coerced and CORS_ORIGINS split on commas", () => {
    const settings = edgeSettingsFrom(
      sharedEnvSchema.parse({
        MAX_DEPTH: "12",
        MAX_ALIASES: "3",
        MAX_TOKENS: "2000",
        MAX_DIRECTIVES: "5",
        MAX_ROOT_FIELDS: "2",
        MAX_COST: "500",
        COST_LIST_SIZE: "7",
        MAX_BODY_BYTES: "4096",
        HEADERS_TIMEOUT_MS: "2000",
        BODY_TIMEOUT_MS: "5000",
        MAX_IN_FLIGHT: "4",
        MAX_BATCH: "1",
        CORS_ORIGINS: " http://localhost:5173, https://shop.example ",
      }),
      { deadlineMs: 1_500 },
    );
    expect(settings.limits).toEqual({ maxDepth: 12, maxAliases: 3, maxTokens: 2000, maxDirectives: 5, maxRootFields: 2, maxCost: 500, defaultListSize: 7 });
    expect(settings.http).toEqual({
      maxBodyBytes: 4096,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      deadlineMs: 1_500,
      maxInFlight: 4,
      maxBatch: 1,
      corsOrigins: ["http://localhost:5173", "https://shop.example"],
    });
  });

  it("when the body timeout is shorter than the headers timeout, then Node's rule (body >= headers) is kept", () => {
    expect(edgeSettingsFrom(sharedEnvSchema.parse({ HEADERS_TIMEOUT_MS: "8000", BODY_TIMEOUT_MS: "1000" })).http.requestTimeoutMs).toBe(8000);
  });

  it("when a value is not a positive whole number, or too large to be safe, then start-up fails naming the variable", () => {
    expect(issues({ MAX_DEPTH: "0" })).toEqual([expect.stringMatching(/^MAX_DEPTH: /)]);
    expect(issues({ MAX_COST: "lots" })).toEqual([expect.stringMatching(/^MAX_COST: /)]);
    // More tokens would let graphql-js's overlapping-fields validation take hundreds of milliseconds per document.
    expect(issues({ MAX_TOKENS: "10001" })).toEqual([expect.stringMatching(/^MAX_TOKENS: /)]);
    expect(issues({ HEADERS_TIMEOUT_MS: "10" })).toEqual([expect.stringMatching(/^HEADERS_TIMEOUT_MS: /)]);
  });

  it("when an origin has a path or no scheme, then start-up fails: CORS compares whole origins", () => {
    expect(issues({ CORS_ORIGINS: "localhost:5173" })).toEqual([expect.stringMatching(/^CORS_ORIGINS\.0: each origin is scheme/)]);
    expect(issues({ CORS_ORIGINS: "http://ok.example,https://shop.example/app" })).toEqual([expect.stringMatching(/^CORS_ORIGINS\.1: /)]);
    expect(z.array(z.string()).parse(sharedEnvSchema.parse({ CORS_ORIGINS: "" }).CORS_ORIGINS)).toEqual([]);
  });
});
