import { GraphQLScalarType, Kind } from "graphql";
import type { TimeKeyset } from "@monograph/db";
import { badUserInput } from "./errors.ts";
import { isUuid } from "./loaders.ts";

/** The DateTime scalar every subgraph declares: ISO-8601 strings in UTC on the wire, Date inside. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "An ISO-8601 date-time in UTC.",
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new TypeError("DateTime cannot represent an invalid date");
    return date.toISOString();
  },
  parseValue(value) {
    return parseDate(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badUserInput("DateTime must be an ISO-8601 string.");
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  const date = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw badUserInput("DateTime must be an ISO-8601 string.");
  return date;
}

/** Page size rules shared by every connection: default 20, at most 100, never negative. */
export function pageSize(first: number | null | undefined, { defaultSize = 20, max = 100 } = {}): number {
  const size = first ?? defaultSize;
  if (!Number.isInteger(size) || size < 0) throw badUserInput("`first` must be a non-negative integer.", { argument: "first" });
  if (size > max) throw badUserInput(`\`first\` must be at most ${max}.`, { argument: "first" });
  return size;
}

/**
 * Cursors are opaque to clients: base64url of the keyset values the next page starts after. A cursor that does
 * not decode is a BAD_USER_INPUT, not a server error.
 */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(values) && values.length === arity && values.every((v) => typeof v === "string" || typeof v === "number")) {
      return values;
    }
  } catch {
    // fall through to the error below
  }
  throw badUserInput("`after` is not a cursor this API issued.", { argument: "after" });
}

/**
 * A page of a connection. `totalCount` is a function: it costs a COUNT, so it runs only when a client asks for it
 * (GraphQL's default resolver calls a function-valued field).
 */
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
}

/**
 * Builds a connection from rows fetched with `take: size + 1`: the extra row only tells whether a next page exists.
 */
export function toConnection<T>(rows: readonly T[], size: number, cursorOf: (row: T) => string, totalCount: () => Promise<number>): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}

/** The connection a caller who may not see the list gets: empty, not an error (a larger query around it still works). */
export function emptyConnection<T>(): Connection<T> {
  return { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: async () => 0 };
}

/** The cursor of a newest-first page on (timestamp, UUID): see `olderThan` in @monograph/db. */
export function encodeTimeKeyset(at: Date, id: string): string {
  return encodeCursor([at.toISOString(), id]);
}

/** Reads a cursor `encodeTimeKeyset` issued; anything else (a bad date, an id that is not a UUID) is BAD_USER_INPUT. */
export function decodeTimeKeyset(cursor: string): TimeKeyset {
  const [at, id] = decodeCursor(cursor, 2);
  const keyset = { at: new Date(String(at)), id: String(id) };
  if (typeof at !== "string" || Number.isNaN(keyset.at.getTime()) || !isUuid(keyset.id)) throw badUserInput("`after` is not a cursor this API issued.", { argument: "after" });
  return keyset;
}
