import { z } from "zod";
import { DEFAULT_HTTP_EDGE, type HttpEdgeOptions } from "./http.ts";
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from "./limits.ts";

const count = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const milliseconds = (fallback: number) => z.coerce.number().int().min(100).max(3_600_000).default(fallback);

/**
 * The edge's settings, read by every process that serves GraphQL (the gateway and each subgraph process), so a
 * subgraph reached directly is held to the same limits. Spread into sharedEnvSchema.
 */
export const edgeEnvShape = {
  MAX_DEPTH: count(DEFAULT_OPERATION_LIMITS.maxDepth, 100),
  MAX_ALIASES: count(DEFAULT_OPERATION_LIMITS.maxAliases, 1_000),
  // Bounded so that no document can nest deep enough to exhaust the stack of the parser or of a validation rule.
  MAX_TOKENS: count(DEFAULT_OPERATION_LIMITS.maxTokens, 10_000),
  MAX_DIRECTIVES: count(DEFAULT_OPERATION_LIMITS.maxDirectives, 1_000),
  MAX_ROOT_FIELDS: count(DEFAULT_OPERATION_LIMITS.maxRootFields, 1_000),
  MAX_COST: count(DEFAULT_OPERATION_LIMITS.maxCost, 100_000_000),
  COST_LIST_SIZE: count(DEFAULT_OPERATION_LIMITS.defaultListSize, 10_000),
  MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(100 * 1024 * 1024).default(DEFAULT_HTTP_EDGE.maxBodyBytes),
  HEADERS_TIMEOUT_MS: milliseconds(DEFAULT_HTTP_EDGE.headersTimeoutMs),
  BODY_TIMEOUT_MS: milliseconds(DEFAULT_HTTP_EDGE.requestTimeoutMs),
  MAX_IN_FLIGHT: count(DEFAULT_HTTP_EDGE.maxInFlight, 100_000),
  MAX_BATCH: count(DEFAULT_HTTP_EDGE.maxBatch, 100),
  /** Comma-separated origins, e.g. `http://localhost:5173,https://shop.example`. */
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((value) => value.split(",").map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, "each origin is scheme://host[:port], without a path"))),
};

type EdgeEnv = { [K in keyof typeof edgeEnvShape]: z.infer<(typeof edgeEnvShape)[K]> };

export interface EdgeSettings {
  limits: OperationLimits;
  http: HttpEdgeOptions;
}

/** The parsed variables as the options startHttpServer and operationLimitOptions take. */
export function edgeSettingsFrom(env: EdgeEnv, extra: { deadlineMs?: number } = {}): EdgeSettings {
  return {
    limits: {
      maxDepth: env.MAX_DEPTH,
      maxAliases: env.MAX_ALIASES,
      maxTokens: env.MAX_TOKENS,
      maxDirectives: env.MAX_DIRECTIVES,
      maxRootFields: env.MAX_ROOT_FIELDS,
      maxCost: env.MAX_COST,
      defaultListSize: env.COST_LIST_SIZE,
    },
    http: {
      maxBodyBytes: env.MAX_BODY_BYTES,
      headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
      // Node requires the whole-request timeout to be at least the headers timeout.
      requestTimeoutMs: Math.max(env.BODY_TIMEOUT_MS, env.HEADERS_TIMEOUT_MS),
      deadlineMs: extra.deadlineMs,
      maxInFlight: env.MAX_IN_FLIGHT,
      corsOrigins: env.CORS_ORIGINS,
      maxBatch: env.MAX_BATCH,
    },
  };
}
