import { createRequire } from "node:module";
import { isSpanContextValid, trace } from "@opentelemetry/api";
import { pino, stdSerializers, type DestinationStream, type Logger } from "pino";
import { currentRequestContext, requestLogFields, serviceName, type RequestContext } from "./context.ts";
import { loggerSettingsFrom } from "./env.ts";

export type { Logger } from "pino";

/**
 * Keys whose values never reach a log line, wherever a caller puts them in the object it logs (one or two levels
 * deep, and in headers). Values are replaced, keys kept, so a reader sees that something was there.
 */
const SECRET_KEYS = [
  "authorization",
  "cookie",
  "password",
  "newPassword",
  "passwordHash",
  "token",
  "accessToken",
  "refreshToken",
  "secret",
  "jwtSecret",
  "internalSecret",
  "JWT_SECRET",
  "INTERNAL_SECRET",
  '"x-monograph-caller"',
  '"set-cookie"',
];
export const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => [
  key,
  `*.${key}`,
  `*.*.${key}`,
  `headers.${key}`,
  `*.headers.${key}`,
  `variables.${key}`,
  `*.variables.${key}`,
  `*.variables.input.${key}`,
]);
export const REDACTED = "[redacted]";

// A JWT anywhere in a line (a token pasted into an error message), "Bearer <anything>", and the password of a URL.
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(bearer\s+)[^\s",]+/gi;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]+:)[^@\s"]+@/gi;

/** Secret values this process knows (its own secrets, a database password): removed from every line. */
const knownSecrets = new Set<string>();

/**
 * Registers values that must never appear in a log line, e.g. JWT_SECRET. loadConfig registers every
 * secret-looking setting it parses. Values shorter than 8 characters are ignored (they would mask ordinary words).
 */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) knownSecrets.add(value);
}

/** The last line of defence, applied to each serialised line: known secret values, JWTs, bearer tokens, URL passwords. */
export function scrub(line: string): string {
  let out = line;
  if (out.includes("eyJ")) out = out.replace(JWT, REDACTED);
  if (/bearer/i.test(out)) out = out.replace(BEARER, `$1${REDACTED}`);
  if (out.includes("://")) out = out.replace(URL_PASSWORD, `$1${REDACTED}@`);
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * Where lines go. One indirection, so tests can capture lines (`captureLogs` in ./testing) without replacing
 * the logger every module already holds.
 */
class Sink implements DestinationStream {
  target: DestinationStream;
  constructor(target: DestinationStream) {
    this.target = target;
  }
  write(line: string): void {
    this.target.write(scrub(line));
  }
}

function stdoutTarget(format: "json" | "pretty"): DestinationStream {
  if (format === "json") return pino.destination({ dest: 1, sync: true });
  // Loaded only for people: production (JSON) never loads it.
  const require = createRequire(import.meta.url);
  const pretty = require("pino-pretty") as (options: object) => DestinationStream;
  return pretty({ sync: true, destination: 1, colorize: process.stdout.isTTY === true, ignore: "pid,hostname,component", messageFormat: "{if component}[{component}] {end}{msg}", translateTime: "SYS:HH:MM:ss.l" });
}

const settings = loggerSettingsFrom(process.env);
export const sink = new Sink(stdoutTarget(settings.format));

/** Request id and trace ids of the request being served, on every line written while serving it. */
function requestFields(): object {
  const service = serviceName();
  const request = currentRequestContext();
  const span = trace.getActiveSpan()?.spanContext();
  const traced = span && isSpanContextValid(span);
  if (!request && !traced) return service ? { service } : {};
  return {
    ...(service ? { service } : {}),
    ...(request ? { requestId: request.requestId } : {}),
    ...(request?.operationName ? { operation: request.operationName } : {}),
    ...(traced ? { traceId: span.traceId, spanId: span.spanId } : {}),
  };
}

/**
 * The one logger of every Monograph process: JSON lines in production (LOG_FORMAT=json, the default unless
 * NODE_ENV=development), readable ones in development (pino-pretty), at LOG_LEVEL (default info). Secrets are
 * redacted by key (REDACTED_PATHS) and by value (scrub).
 */
export const logger: Logger = pino(
  {
    level: settings.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: stdSerializers.err, error: stdSerializers.err },
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    mixin: requestFields,
  },
  sink,
);

/**
 * `log` for a line written while serving `request`: without an ambient request context (tracing off), a child
 * carrying the request's id, made only now, when a line is written; with one, `log` itself.
 */
export function forRequest(log: Logger, request: RequestContext | undefined): Logger {
  const fields = requestLogFields(request);
  return fields.requestId ? log.child(fields) : log;
}

/** A logger for one part of the system; its lines carry `component`, e.g. "gateway", "orders", "events". */
export function childLogger(component: string): Logger {
  return logger.child({ component });
}
