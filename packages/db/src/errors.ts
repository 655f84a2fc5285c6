/**
 * Tells a database that cannot be reached (down, restarting, a connection cut, a pool exhausted) from every other
 * database error. The one place that knows how each driver reports it:
 *
 * - Prisma's codes for a lost database: P1001 (can't reach), P1002 (timed out reaching), P1008 (socket timeout),
 *   P1017 (server closed the connection), P2024 (timed out waiting for a pooled connection), P2028 (a transaction
 *   could not start in time), P2037 (too many connections).
 * - Driver-adapter error kinds behind those codes (`DatabaseNotReachable`, `ConnectionClosed`, `SocketTimeout`,
 *   `TooManyConnections`), and PostgreSQL's SQLSTATEs in `cause.originalCode`/`cause.code`: class 08 (connection
 *   exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too many connections).
 * - node-postgres and Node's socket errors: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOTFOUND, and
 *   "Connection terminated unexpectedly" (pg has no code for it).
 *
 * Such an error is worth retrying later; anything else (a constraint, a bug) is not.
 */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2037"]);
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ECONNABORTED"]);
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const MESSAGES = /connection terminated|can't reach database server|server has closed the connection|terminating connection due to|the database system is (starting up|shutting down|in recovery mode)|connect ECONNREFUSED|timeout exceeded when trying to connect|Unable to start a transaction in the given time|Client has encountered a connection error/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, kind, originalCode, message, cause, originalError, meta, errors } = current as Record<string, unknown>;
    for (const value of [code, originalCode]) {
      if (typeof value !== "string") continue;
      if (PRISMA_CODES.has(value) || SOCKET_CODES.has(value) || SQLSTATES.has(value) || /^08[0-9A-Z]{3}$/.test(value)) return true;
    }
    if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
    queue.push(cause, originalError, (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return false;
}

/** PostgreSQL's SQLSTATE for a unique violation. */
export const UNIQUE_VIOLATION = "23505";

/**
 * Whether a database error is a unique violation, whichever way Prisma 6.19 surfaced it:
 * - through `@prisma/adapter-pg` (PostgreSQL): a PrismaClientKnownRequestError `P2002`, whose
 *   `meta.driverAdapterError.cause` is `{ kind: "UniqueConstraintViolation", originalCode: "23505" }`;
 * - through `pglite-prisma-adapter` 0.6 (PGlite), which does not map the error: the DriverAdapterError itself,
 *   whose `cause` is `{ kind: "postgres", code: "23505" }`;
 * - in a raw query (`$executeRaw`): `P2010`, with either of those causes in `meta.driverAdapterError`;
 * - from node-postgres or PGlite directly (migrations, scripts): an error with `code: "23505"`.
 * Domain services use it to turn a lost race on a unique index into their own CONFLICT (or an idempotent replay).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!isObject(error)) return false;
  if (error.code === "P2002" || error.code === UNIQUE_VIOLATION) return true;
  if (isUniqueCause(error.cause)) return true;
  const meta = isObject(error.meta) ? error.meta : undefined;
  const adapterError = meta && isObject(meta.driverAdapterError) ? meta.driverAdapterError : undefined;
  return adapterError !== undefined && isUniqueCause(adapterError.cause);
}

function isUniqueCause(cause: unknown): boolean {
  if (!isObject(cause)) return false;
  return cause.kind === "UniqueConstraintViolation" || cause.code === UNIQUE_VIOLATION || cause.originalCode === UNIQUE_VIOLATION;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
