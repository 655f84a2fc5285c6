// The classifier alone (no Prisma): a process without a database (a remote-only gateway) loads this file too.
import { isDatabaseUnavailable } from "@monograph/db/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";

/**
 * The error codes a client may see in `extensions.code`. They are part of the public contract: clients branch on
 * them, so a code is never renamed. Messages are for people and may change.
 */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  OUT_OF_STOCK: "OUT_OF_STOCK",
  INVALID_STATE_TRANSITION: "INVALID_STATE_TRANSITION",
  PAYMENT_FAILED: "PAYMENT_FAILED",
  /** Too many attempts (sign-in, sign-up): HTTP 429, with `Retry-After` and `extensions.retryAfterSeconds`. */
  RATE_LIMITED: "RATE_LIMITED",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Codes of requests refused at the edge, before anything plans or runs them (limits.ts, http.ts). Public and stable
 * like ErrorCode: each names the limit or the mistake.
 */
export const EdgeErrorCode = {
  DEPTH_LIMIT_EXCEEDED: "DEPTH_LIMIT_EXCEEDED",
  ALIAS_LIMIT_EXCEEDED: "ALIAS_LIMIT_EXCEEDED",
  TOKEN_LIMIT_EXCEEDED: "TOKEN_LIMIT_EXCEEDED",
  DIRECTIVE_LIMIT_EXCEEDED: "DIRECTIVE_LIMIT_EXCEEDED",
  ROOT_FIELD_LIMIT_EXCEEDED: "ROOT_FIELD_LIMIT_EXCEEDED",
  COST_LIMIT_EXCEEDED: "COST_LIMIT_EXCEEDED",
  BATCH_LIMIT_EXCEEDED: "BATCH_LIMIT_EXCEEDED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  REQUEST_TIMEOUT: "REQUEST_TIMEOUT",
  OVERLOADED: "OVERLOADED",
  HEADERS_TOO_LARGE: "HEADERS_TOO_LARGE",
} as const;
export type EdgeErrorCode = (typeof EdgeErrorCode)[keyof typeof EdgeErrorCode];

const PUBLIC_CODES = new Set<string>([...Object.values(ErrorCode), ...Object.values(EdgeErrorCode)]);

// Codes Apollo Server and graphql-js assign to problems with the request itself; safe to show as they are.
const REQUEST_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  // The gateway's safelist (OPERATIONS=safelist) refuses a document that is not a recorded operation.
  "PERSISTED_QUERY_NOT_IN_LIST",
  "OPERATION_RESOLUTION_FAILURE",
]);

/** An expected failure of a domain rule, shown to the client with its code and message. */
export class DomainError extends GraphQLError {
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { ...details, code } });
    this.name = "DomainError";
  }
}

export const unauthenticated = (message = "You must be signed in to do this.") => new DomainError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = "You are not allowed to do this.") => new DomainError(ErrorCode.FORBIDDEN, message);
export const badUserInput = (message: string, details: Record<string, unknown> = {}) => new DomainError(ErrorCode.BAD_USER_INPUT, message, details);
export const notFound = (message: string, details: Record<string, unknown> = {}) => new DomainError(ErrorCode.NOT_FOUND, message, details);
export const conflict = (message: string, details: Record<string, unknown> = {}) => new DomainError(ErrorCode.CONFLICT, message, details);

export function isPublicCode(code: unknown): code is string {
  return typeof code === "string" && (PUBLIC_CODES.has(code) || REQUEST_CODES.has(code));
}

/**
 * What a client is allowed to see of an error. Errors with a public code keep their message and extensions
 * (minus any stack trace); anything else (a bug, a SQL error, a failed fetch naming an internal URL) becomes a
 * generic INTERNAL_SERVER_ERROR, and the original is reported through `onHidden` for the logs.
 */
export function maskError(
  formatted: GraphQLFormattedError,
  onHidden?: (formatted: GraphQLFormattedError) => void,
  original?: unknown,
): GraphQLFormattedError {
  const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
  const code = extensions.code;
  if (isPublicCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return { ...formatted, extensions };
  }
  onHidden?.(formatted);
  if (original !== undefined && isDatabaseUnavailable(original)) return databaseUnavailableError(formatted);
  return {
    message: "Internal server error",
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

const DATABASE_UNAVAILABLE_MESSAGE = "The service's database is not available right now. Please try again shortly.";

/** A database that cannot be reached, as a client sees it: SERVICE_UNAVAILABLE, worth retrying, no internals. */
export const databaseUnavailable = () => new DomainError(ErrorCode.SERVICE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE, { retryable: true });

function databaseUnavailableError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return {
    message: DATABASE_UNAVAILABLE_MESSAGE,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryable: true },
  };
}

/**
 * An error raised while executing a subgraph, as JSON for the gateway, when the subgraph runs in the gateway's
 * process: a database that cannot be reached becomes SERVICE_UNAVAILABLE here, where the original error (and its
 * driver code) is still at hand; everything else is left to the gateway's masking.
 */
export function subgraphErrorJSON(error: GraphQLError): GraphQLFormattedError {
  const json = error.toJSON();
  const code = json.extensions?.code;
  if ((code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR) && isDatabaseUnavailable(error.originalError)) return databaseUnavailableError(json);
  return json;
}

export { isDatabaseUnavailable };
