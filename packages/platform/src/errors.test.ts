import { buildSchema, graphql, GraphQLError, type GraphQLFormattedError } from "graphql";
import { describe, expect, it, vi } from "vitest";
import { badUserInput, conflict, DomainError, ErrorCode, forbidden, isPublicCode, maskError, notFound, unauthenticated } from "./errors.ts";

const GENERIC = { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };

describe("ErrorCode", () => {
  it("when a client branches on extensions.code, then the codes are exactly the stable, published ones", () => {
    expect(ErrorCode).toEqual({
      UNAUTHENTICATED: "UNAUTHENTICATED",
      FORBIDDEN: "FORBIDDEN",
      BAD_USER_INPUT: "BAD_USER_INPUT",
      NOT_FOUND: "NOT_FOUND",
      CONFLICT: "CONFLICT",
      OUT_OF_STOCK: "OUT_OF_STOCK",
      INVALID_STATE_TRANSITION: "INVALID_STATE_TRANSITION",
      PAYMENT_FAILED: "PAYMENT_FAILED",
      RATE_LIMITED: "RATE_LIMITED",
      SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
      INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
    });
  });

  it("when a code is one of ours or a request-level code from Apollo/graphql-js, then it is public; anything else is not", () => {
    for (const code of [...Object.values(ErrorCode), "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST", "PERSISTED_QUERY_NOT_FOUND"]) {
      expect(isPublicCode(code), code).toBe(true);
    }
    for (const code of ["ECONNREFUSED", "P2002", "23505", "", undefined, null, 42]) expect(isPublicCode(code), String(code)).toBe(false);
  });
});

describe("DomainError and its helpers", () => {
  it.each([
    ["unauthenticated()", unauthenticated(), "UNAUTHENTICATED", "You must be signed in to do this."],
    ["forbidden()", forbidden(), "FORBIDDEN", "You are not allowed to do this."],
    ["unauthenticated(message)", unauthenticated("Sign in first."), "UNAUTHENTICATED", "Sign in first."],
    ["forbidden(message)", forbidden("Admins only."), "FORBIDDEN", "Admins only."],
    ["badUserInput", badUserInput("Quantity must be positive."), "BAD_USER_INPUT", "Quantity must be positive."],
    ["notFound", notFound("No such order."), "NOT_FOUND", "No such order."],
    ["conflict", conflict("Email already taken."), "CONFLICT", "Email already taken."],
    ["new DomainError", new DomainError(ErrorCode.OUT_OF_STOCK, "Only 2 left."), "OUT_OF_STOCK", "Only 2 left."],
  ])("when %s is thrown, then it is a GraphQLError with that extensions.code and message", (_label, error, code, message) => {
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.name).toBe("DomainError");
    expect(error.extensions.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it("when details are given, then they appear beside the code in extensions", () => {
    expect(badUserInput("Bad quantity.", { argument: "quantity" }).extensions).toEqual({ argument: "quantity", code: "BAD_USER_INPUT" });
    expect(notFound("No such product.", { sku: "X-1" }).extensions).toEqual({ sku: "X-1", code: "NOT_FOUND" });
    expect(conflict("Taken.", { field: "email" }).extensions).toEqual({ field: "email", code: "CONFLICT" });
  });

  it("when details try to set a code, then the helper's code wins", () => {
    expect(badUserInput("x", { code: "INTERNAL_SERVER_ERROR" }).extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("maskError", () => {
  it("when a deliberate DomainError is formatted, then its code, message, details, path and locations are kept and nothing is logged", () => {
    const onHidden = vi.fn();
    const formatted: GraphQLFormattedError = {
      ...conflict("Email already taken.", { field: "email" }).toJSON(),
      path: ["signUp"],
      locations: [{ line: 1, column: 12 }],
    };
    expect(maskError(formatted, onHidden)).toEqual({
      message: "Email already taken.",
      path: ["signUp"],
      locations: [{ line: 1, column: 12 }],
      extensions: { field: "email", code: "CONFLICT" },
    });
    expect(onHidden).not.toHaveBeenCalled();
  });

  it("when a public error carries a stack trace, then the stack trace is dropped", () => {
    const masked = maskError({ message: "No such order.", extensions: { code: "NOT_FOUND", stacktrace: ["Error: x", "    at /srv/app/orders.ts:12"], exception: { stacktrace: ["..."] } } });
    expect(masked).toEqual({ message: "No such order.", extensions: { code: "NOT_FOUND" } });
  });

  it("when a request-level error (validation) is formatted, then the client sees it as it is", () => {
    const formatted = { message: 'Cannot query field "nope" on type "Query".', extensions: { code: "GRAPHQL_VALIDATION_FAILED" } };
    expect(maskError(formatted)).toEqual(formatted);
  });

  it.each([
    ["an unexpected Error (no code)", { message: "Cannot read properties of undefined (reading 'id')" }],
    ["an error whose message contains SQL", { message: 'relation "secret_table" does not exist: SELECT * FROM secret_table WHERE id = $1', extensions: { code: "INTERNAL_SERVER_ERROR" } }],
    ["an error with a stack trace", { message: "boom", extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["Error: boom", "    at Object.resolve (/srv/app/src/resolvers.ts:10:11)"] } }],
    ["a failed fetch naming an internal URL", { message: "request to http://inventory.internal:4002/graphql failed, reason: connect ECONNREFUSED 10.0.0.7:4002", extensions: { code: "ECONNREFUSED" } }],
    ["a Prisma error code", { message: "Unique constraint failed on the fields: (`email`) postgres://admin:pw@db.internal:5432/app", extensions: { code: "P2002" } }],
  ])("when %s is formatted, then the client sees a generic INTERNAL_SERVER_ERROR and the log hook gets the detail", (_label, formatted: GraphQLFormattedError) => {
    const onHidden = vi.fn();
    const masked = maskError(formatted, onHidden);
    expect(masked).toEqual(GENERIC);
    expect(JSON.stringify(masked)).not.toMatch(/secret_table|SELECT|stacktrace|resolvers\.ts|internal|ECONNREFUSED|postgres|P2002|undefined/);
    expect(onHidden).toHaveBeenCalledTimes(1);
    expect(onHidden).toHaveBeenCalledWith(formatted);
  });

  it("when an internal error has a path and locations, then they are kept so the client knows which field failed", () => {
    const masked = maskError({ message: "SELECT 1 failed", path: ["order", "invoice"], locations: [{ line: 2, column: 3 }] });
    expect(masked).toEqual({ ...GENERIC, path: ["order", "invoice"], locations: [{ line: 2, column: 3 }] });
  });

  it("when no log hook is given, then masking still works", () => {
    expect(maskError({ message: "secret" })).toEqual(GENERIC);
  });

  it("when resolvers really throw, then a DomainError reaches the client and a plain Error is hidden", async () => {
    const schema = buildSchema("type Query { deliberate: String  accidental: String }");
    const rootValue = {
      deliberate: () => {
        throw forbidden("Not for you.");
      },
      accidental: () => {
        throw new Error('duplicate key value violates unique constraint "users_email_key" at postgres://db.internal');
      },
    };
    const result = await graphql({ schema, source: "{ deliberate accidental }", rootValue });
    const hidden: string[] = [];
    const errors = result.errors!.map((error) => maskError(error.toJSON(), (h) => hidden.push(h.message)));
    expect(errors).toEqual([
      { message: "Not for you.", path: ["deliberate"], locations: [{ line: 1, column: 3 }], extensions: { code: "FORBIDDEN" } },
      { ...GENERIC, path: ["accidental"], locations: [{ line: 1, column: 14 }] },
    ]);
    expect(hidden).toEqual(['duplicate key value violates unique constraint "users_email_key" at postgres://db.internal']);
  });
});

describe("maskError, when the database is away", () => {
  it("when the original error is a lost database connection, then the client sees SERVICE_UNAVAILABLE, retryable, without internals", () => {
    const original = Object.assign(new Error("Can't reach database server at 10.0.0.7:5432"), { code: "P1001" });
    const hidden: string[] = [];
    const masked = maskError({ message: original.message, path: ["me"] }, (h) => hidden.push(h.message), original);
    expect(masked).toEqual({
      message: "The service's database is not available right now. Please try again shortly.",
      path: ["me"],
      extensions: { code: "SERVICE_UNAVAILABLE", retryable: true },
    });
    expect(hidden).toEqual([original.message]);
  });
});
