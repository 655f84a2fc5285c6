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

/** Settings every Monograph process shares. */
export const sharedEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Real PostgreSQL. When unset, the embedded PGlite database in PGLITE_DATA_DIR is used. */
  DATABASE_URL: z.string().url().optional(),
  /** Folder of the embedded database; each entry point has its own default. */
  PGLITE_DATA_DIR: z.string().optional(),
  /** Signs users' bearer tokens. */
  JWT_SECRET: z.string().min(16).default(DEV_JWT_SECRET),
  /** Signs the caller header between the gateway and subgraph processes, and service-to-service calls. */
  INTERNAL_SECRET: z.string().min(16).default(DEV_INTERNAL_SECRET),
  HOST: z.string().default("127.0.0.1"),
  NATS_URL: z.string().optional(),
  /** The logger's level (fatal, error, warn, info, debug, trace, silent; default info) and format (json, pretty). */
  ...telemetryEnvSchema.shape,
  /** Operation limits and HTTP edge bounds (edge-config.ts; the README's configuration table). */
  ...edgeEnvShape,
});

/** Rejects the development secrets in production, so a forgotten setting fails loudly at start-up. */
export function refuseDevSecretsInProduction<T extends { NODE_ENV: string; JWT_SECRET: string; INTERNAL_SECRET: string }>(config: T, ctx: z.RefinementCtx): void {
  if (config.NODE_ENV !== "production") return;
  if (config.JWT_SECRET === DEV_JWT_SECRET) ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "set a real secret in production" });
  if (config.INTERNAL_SECRET === DEV_INTERNAL_SECRET) ctx.addIssue({ code: "custom", path: ["INTERNAL_SECRET"], message: "set a real secret in production" });
}
