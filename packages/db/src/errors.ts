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
