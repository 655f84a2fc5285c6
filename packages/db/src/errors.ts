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
