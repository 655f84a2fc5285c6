import { logger, registerSecret, telemetryEnvSchema } from "@monograph/telemetry";
import { z } from "zod";
import { edgeEnvShape } from "./edge-config.ts";

/**
 * Parses configuration once, at start-up. Every problem is printed at once, then the process exits: a service
 * never starts half-configured. Each app has one env.ts that calls this; nothing else reads process.env.
 */
export function loadConfig<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env, appName = "monograph"): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) {
    registerSecrets(result.data);
    return result.data;
  }
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  logger.fatal({ component: appName, problems }, `invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  process.exit(1);
}

/** Secret settings (and a database URL's password) never reach a log line, even inside an error message. */
function registerSecrets(config: unknown): void {
  if (typeof config !== "object" || config === null) return;
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== "string") continue;
    if (/SECRET|PASSWORD|TOKEN/i.test(key)) registerSecret(value);
    if (/_URL$/.test(key) && URL.canParse(value)) registerSecret(decodeURIComponent(new URL(value).password));
  }
}

/** Development-only secrets: usable on a laptop, refused when NODE_ENV=production (see the README). */
export const DEV_JWT_SECRET = "monograph-dev-jwt-secret-change-me";
export const DEV_INTERNAL_SECRET = "monograph-dev-internal-secret-change-me";

const SECONDS_PER: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

function describeSeconds(seconds: number): string {
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60]] as const) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

/**
 * A lifetime setting, in seconds: a number of seconds, or a number with s, m, h or d (`900`, `15m`, `30d`),
 * between `min` and `max` seconds.
 */
export function lifetimeSetting(defaultSeconds: number, min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return defaultSeconds;
      const match = /^(\d{1,9})([smhd]?)$/.exec(value.trim());
      if (!match) {
        ctx.addIssue({ code: "custom", message: `"${value}" is not a lifetime: use seconds, or a number with s, m, h or d (e.g. 15m)` });
        return z.NEVER;
      }
      const seconds = Number(match[1]) * SECONDS_PER[match[2] || "s"]!;
      if (seconds < min || seconds > max) {
        ctx.addIssue({ code: "custom", message: `must be between ${describeSeconds(min)} and ${describeSeconds(max)} (got ${describeSeconds(seconds)})` });
        return z.NEVER;
      }
      return seconds;
    });
}

/** Demo data by the environment: in development, yes, unless SEED_DEMO_DATA=false; in tests, only when asked; never in production. */
export function shouldSeedDemoData(config: { NODE_ENV: string; SEED_DEMO_DATA?: boolean }): boolean {
  if (config.NODE_ENV === "production") return false;
  return config.SEED_DEMO_DATA ?? config.NODE_ENV === "development";
}

/**
 * Events between processes (docs/adr/0015-replicas-and-retention.md): how long an outbox relay's claim on the rows
 * it publishes lasts (then another replica takes them over), and how long delivered outbox rows and inbox rows are
 * kept before a periodic sweep deletes them in batches. Durations as for lifetimes (`30`, `15m`, `7d`).
 */
export const eventsEnvShape = {
  OUTBOX_CLAIM_LEASE: lifetimeSetting(30, 1, 60 * 60),
  OUTBOX_RETENTION: lifetimeSetting(7 * 86_400, 1, 365 * 86_400),
  /** Keep it at least as long as an event can be redelivered (the JetStream stream keeps events 7 days). */
  INBOX_RETENTION: lifetimeSetting(7 * 86_400, 1, 365 * 86_400),
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  RETENTION_INTERVAL: lifetimeSetting(60, 1, 86_400),
};

export interface EventsSettings {
  claimLeaseMs: number;
  retention: { outboxWindowMs: number; inboxWindowMs: number; batchSize: number; intervalMs: number };
}

/** The relay's and the retention sweep's options (OutboxRelay, EventsRetention) from a parsed configuration. */
export function eventsSettingsFrom(config: {
  OUTBOX_CLAIM_LEASE: number;
  OUTBOX_RETENTION: number;
  INBOX_RETENTION: number;
  RETENTION_BATCH_SIZE: number;
  RETENTION_INTERVAL: number;
}): EventsSettings {
  return {
    claimLeaseMs: config.OUTBOX_CLAIM_LEASE * 1000,
    retention: {
      outboxWindowMs: config.OUTBOX_RETENTION * 1000,
      inboxWindowMs: config.INBOX_RETENTION * 1000,
      batchSize: config.RETENTION_BATCH_SIZE,
      intervalMs: config.RETENTION_INTERVAL * 1000,
    },
  };
}

/** Settings every Monograph process shares. */
export const sharedEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Real PostgreSQL. When unset, the embedded PGlite database in PGLITE_DATA_DIR is used. */
  DATABASE_URL: z.string().url().optional(),
  /**
   * With DATABASE_URL: a folder with one file per database role (monograph_users, monograph_orders, ...) holding its
   * password, as a secret store mounts them. Unset: the roles log in without one (trust authentication). ADR 0016.
   */
  DATABASE_ROLE_PASSWORD_DIR: z.string().optional(),
  /** Folder of the embedded database; each entry point has its own default. */
  PGLITE_DATA_DIR: z.string().optional(),
  /** Signs users' bearer tokens. */
  JWT_SECRET: z.string().min(16).default(DEV_JWT_SECRET),
  /** Signs the caller header between the gateway and subgraph processes, and service-to-service calls. */
  INTERNAL_SECRET: z.string().min(16).default(DEV_INTERNAL_SECRET),
  HOST: z.string().default("127.0.0.1"),
  /**
   * Lifetime of a user's access token (the bearer token the gateway verifies without a database): also how long a
   * signed-out session, a changed password or a changed role can linger. 1 minute to 1 hour.
   */
  ACCESS_TOKEN_TTL: lifetimeSetting(15 * 60, 60, 60 * 60),
  /** Lifetime of a refresh token; each refresh starts a new one (sliding). 1 hour to 365 days. */
  REFRESH_TOKEN_TTL: lifetimeSetting(30 * 86_400, 60 * 60, 365 * 86_400),
  /**
   * Load the demo data (the README's accounts and products) into empty tables at start-up. Default: in
   * development only. Refused in production.
   */
  SEED_DEMO_DATA: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional(),
  NATS_URL: z.string().optional(),
  ...eventsEnvShape,
  /** The logger's level (fatal, error, warn, info, debug, trace, silent; default info) and format (json, pretty). */
  ...telemetryEnvSchema.shape,
  /** Operation limits and HTTP edge bounds (edge-config.ts; the README's configuration table). */
  ...edgeEnvShape,
});

/** In production a secret must have at least this many bytes (UTF-8): 256 bits for HS256. */
export const MIN_PRODUCTION_SECRET_BYTES = 32;
/** ...and at least this many distinct characters: a random hex string of 32 characters has about 14. */
export const MIN_SECRET_DISTINCT_CHARACTERS = 8;

const CHARACTER_CLASSES: [string, RegExp][] = [
  ["lower-case letters", /[a-z]/],
  ["upper-case letters", /[A-Z]/],
  ["digits", /[0-9]/],
  ["other characters", /[^a-zA-Z0-9]/],
];

/**
 * What is wrong with a secret meant for production, in words an operator can act on (never the value itself);
 * empty when it is acceptable. Refused: the development default, fewer than 32 bytes, and low variety, that is
 * fewer than 8 distinct characters, characters of one class only (only digits, only lower-case letters...), or
 * one shorter sequence repeated. Random values (`openssl rand -base64 48`, `openssl rand -hex 32`) pass.
 */
export function productionSecretProblems(secret: string, developmentDefault?: string): string[] {
  if (secret === developmentDefault) return ["set a real secret in production"];
  const problems: string[] = [];
  const bytes = Buffer.byteLength(secret, "utf8");
  if (bytes < MIN_PRODUCTION_SECRET_BYTES) problems.push(`is ${bytes} bytes long; use at least ${MIN_PRODUCTION_SECRET_BYTES} in production (e.g. openssl rand -base64 48)`);
  const distinct = new Set(secret).size;
  if (distinct < MIN_SECRET_DISTINCT_CHARACTERS) problems.push(`has only ${distinct} distinct character(s); use at least ${MIN_SECRET_DISTINCT_CHARACTERS} (a random value)`);
  const classes = CHARACTER_CLASSES.filter(([, pattern]) => pattern.test(secret));
  if (classes.length === 1) problems.push(`uses ${classes[0]![0]} only; mix at least two kinds of characters (a random value)`);
  if (secret.length <= 4096 && /^(.+)\1+$/s.test(secret)) problems.push("is one shorter sequence repeated; use a random value");
  return problems;
}

/**
 * Rejects weak secrets in production, so a forgotten or careless setting fails loudly at start-up, with every
 * problem reported (see productionSecretProblems). The two secrets must also differ: one leaked value must not
 * give away both users' tokens and the gateway's signatures.
 */
export function refuseDevSecretsInProduction<T extends { NODE_ENV: string; JWT_SECRET: string; INTERNAL_SECRET: string }>(config: T, ctx: z.RefinementCtx): void {
  if (config.NODE_ENV !== "production") return;
  for (const problem of productionSecretProblems(config.JWT_SECRET, DEV_JWT_SECRET)) ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: problem });
  for (const problem of productionSecretProblems(config.INTERNAL_SECRET, DEV_INTERNAL_SECRET)) ctx.addIssue({ code: "custom", path: ["INTERNAL_SECRET"], message: problem });
  if (config.JWT_SECRET === config.INTERNAL_SECRET) ctx.addIssue({ code: "custom", path: ["INTERNAL_SECRET"], message: "must differ from JWT_SECRET" });
  // Not a secret, but the same kind of production mistake: the demo accounts' passwords are in the README.
  if ((config as { SEED_DEMO_DATA?: boolean }).SEED_DEMO_DATA === true) {
    ctx.addIssue({ code: "custom", path: ["SEED_DEMO_DATA"], message: "demo data is never loaded in production" });
  }
}
