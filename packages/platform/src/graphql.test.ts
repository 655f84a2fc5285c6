import { graphql, GraphQLObjectType, GraphQLSchema, GraphQLString, Kind } from "graphql";
import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.ts";
import { DateTimeScalar, decodeCursor, decodeTimeKeyset, emptyConnection, encodeCursor, encodeTimeKeyset, pageSize, toConnection } from "./graphql.ts";

/** The BAD_USER_INPUT DomainError `run` throws, with its extensions. */
function badInput(run: () => unknown): { message: string; extensions: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const { message, extensions } = error as DomainError;
    expect(extensions.code).toBe("BAD_USER_INPUT");
    return { message, extensions };
  }
  throw new Error("expected a BAD_USER_INPUT error");
}

describe("pageSize", () => {
  it("when `first` is not given, then the page holds the default 20 (or the connection's own default)", () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
    expect(pageSize(undefined, { defaultSize: 5 })).toBe(5);
  });

  it("when `first` is between 0 and the maximum, then it is used as it is", () => {
    expect([0, 1, 50, 100].map((first) => pageSize(first))).toEqual([0, 1, 50, 100]);
    expect(pageSize(10, { max: 10 })).toBe(10);
  });

  it("when `first` is above the maximum, then it is a BAD_USER_INPUT naming the argument and the limit", () => {
    expect(badInput(() => pageSize(101))).toEqual({ message: "`first` must be at most 100.", extensions: { argument: "first", code: "BAD_USER_INPUT" } });
    expect(badInput(() => pageSize(11, { max: 10 })).message).toBe("`first` must be at most 10.");
  });

  it.each([[-1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY]])("when `first` is %s, then it is a BAD_USER_INPUT", (first) => {
    expect(badInput(() => pageSize(first))).toEqual({ message: "`first` must be a non-negative integer.", extensions: { argument: "first", code: "BAD_USER_INPUT" } });
  });
});

describe("cursors", () => {
  it("when a cursor is encoded, then it decodes back to the same keyset values", () => {
    const values = ["2024-03-01T12:00:00.000Z", "b0f1c2d3-uuid", 42, "ünïcödé ✓"];
    const cursor = encodeCursor(values);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, values.length)).toEqual(values);
  });

  it("when a cursor is read, then it is opaque: no raw JSON on the wire", () => {
    expect(encodeCursor(["a", 1])).not.toContain("[");
  });

  it.each([
    ["garbage", "not a cursor!!"],
    ["empty", ""],
    ["base64 of something that is not JSON", Buffer.from("hello").toString("base64url")],
    ["a JSON object", Buffer.from(JSON.stringify({ id: 1 })).toString("base64url")],
    ["a JSON string", Buffer.from(JSON.stringify("abc")).toString("base64url")],
    ["the wrong number of values", encodeCursor(["a", 1, 2])],
    ["nested values", Buffer.from(JSON.stringify([{ id: 1 }, 2])).toString("base64url")],
    ["null values", Buffer.from(JSON.stringify([null, 2])).toString("base64url")],
  ])("when `after` is %s, then it is a BAD_USER_INPUT about `after`, not a server error", (_label, cursor) => {
    expect(badInput(() => decodeCursor(cursor, 2))).toEqual({
      message: "`after` is not a cursor this API issued.",
      extensions: { argument: "after", code: "BAD_USER_INPUT" },
    });
  });
});

describe("toConnection", () => {
  const cursorOf = (row: { id: number }) => encodeCursor([row.id]);
  const count = (n: number) => async () => n;

  it("when one more row than the page size was fetched, then the page is cut to size and has a next page", async () => {
    const connection = toConnection([{ id: 1 }, { id: 2 }, { id: 3 }], 2, cursorOf, count(10));
    expect(connection.edges).toEqual([
      { cursor: encodeCursor([1]), node: { id: 1 } },
      { cursor: encodeCursor([2]), node: { id: 2 } },
    ]);
    expect(connection.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor([2]) });
    expect(await connection.totalCount()).toBe(10);
  });

  it("when no extra row was fetched, then it is the last page", () => {
    const connection = toConnection([{ id: 1 }, { id: 2 }], 2, cursorOf, count(2));
    expect(connection.edges).toHaveLength(2);
    expect(connection.pageInfo).toEqual({ hasNextPage: false, endCursor: encodeCursor([2]) });
  });

  it("when there are no rows, then the connection is empty with a null endCursor", async () => {
    const connection = toConnection([], 20, cursorOf, count(0));
    expect(connection.edges).toEqual([]);
    expect(connection.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
    const empty = emptyConnection();
    expect([empty.edges, empty.pageInfo, await empty.totalCount()]).toEqual([[], { hasNextPage: false, endCursor: null }, 0]);
  });

  it("when the page size is 0, then no edges are returned but the next page is still announced", () => {
    expect(toConnection([{ id: 1 }], 0, cursorOf, count(5)).pageInfo).toEqual({ hasNextPage: true, endCursor: null });
  });
});

describe("time keyset cursors", () => {
  const id = "00000000-0000-4000-8000-00000000000a";
  it("when a cursor it issued comes back, then it reads the same timestamp and id", () => {
    const at = new Date("2026-12-01T10:00:00.123Z");
    expect(decodeTimeKeyset(encodeTimeKeyset(at, id))).toEqual({ at, id });
  });

  it("when a cursor names a bad date or an id that is not a UUID, then it is BAD_USER_INPUT (never a database error)", () => {
    for (const cursor of [encodeCursor(["yesterday", id]), encodeCursor([new Date().toISOString(), "1 OR 1=1"]), encodeCursor([12, id]), "garbage"]) {
      expect(() => decodeTimeKeyset(cursor)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", argument: "after" }) }));
    }
  });
});

describe("the DateTime scalar", () => {
  it("when a Date or a date string is sent to a client, then it is an ISO-8601 string in UTC", () => {
    expect(DateTimeScalar.serialize(new Date("2024-03-01T12:00:00.000Z"))).toBe("2024-03-01T12:00:00.000Z");
    expect(DateTimeScalar.serialize("2024-03-01T14:00:00+02:00")).toBe("2024-03-01T12:00:00.000Z");
  });

  it("when an invalid date would be sent to a client, then serializing fails", () => {
    expect(() => DateTimeScalar.serialize(new Date(Number.NaN))).toThrow(TypeError);
    expect(() => DateTimeScalar.serialize("not a date")).toThrow(TypeError);
  });

  it("when a client sends an ISO-8601 string, then resolvers receive the Date", () => {
    expect(DateTimeScalar.parseValue("2024-03-01T14:00:00+02:00")).toEqual(new Date("2024-03-01T12:00:00.000Z"));
    expect(DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: "2024-03-01T12:00:00Z" })).toEqual(new Date("2024-03-01T12:00:00.000Z"));
  });

  it("when a client sends something that is not a date string, then it is a BAD_USER_INPUT", () => {
    for (const value of ["yesterday", "", 1_700_000_000_000, null, {}]) {
      expect(badInput(() => DateTimeScalar.parseValue(value)).message).toBe("DateTime must be an ISO-8601 string.");
    }
    expect(badInput(() => DateTimeScalar.parseLiteral({ kind: Kind.INT, value: "1700000000" })).message).toBe("DateTime must be an ISO-8601 string.");
  });

  it("when a query uses it, then dates go out as ISO strings and a bad variable comes back as BAD_USER_INPUT", async () => {
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: "Query",
        fields: {
          echo: { type: DateTimeScalar, args: { at: { type: DateTimeScalar } }, resolve: (_root, { at }: { at: Date }) => at },
          kind: { type: GraphQLString, args: { at: { type: DateTimeScalar } }, resolve: (_root, { at }: { at: unknown }) => (at instanceof Date ? "Date" : typeof at) },
        },
      }),
    });
    const ok = await graphql({ schema, source: "query ($at: DateTime) { echo(at: $at) kind(at: $at) }", variableValues: { at: "2024-03-01T14:00:00+02:00" } });
    expect(ok).toEqual({ data: { echo: "2024-03-01T12:00:00.000Z", kind: "Date" } });

    const bad = await graphql({ schema, source: "query ($at: DateTime) { echo(at: $at) }", variableValues: { at: "next tuesday-ish" } });
    expect(bad.data).toBeUndefined();
    expect(bad.errors?.map((error) => error.extensions.code)).toEqual(["BAD_USER_INPUT"]);
  });
});
