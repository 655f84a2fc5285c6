import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./errors.ts";

describe("isDatabaseUnavailable", () => {
  it("when the error says the database cannot be reached, in any driver's words, then it is an outage", () => {
    const outages: unknown[] = [
      Object.assign(new Error("Can't reach database server at 127.0.0.1:5999"), { code: "P1001" }),
      Object.assign(new Error("Server has closed the connection."), { code: "P1017" }),
      Object.assign(new Error("Timed out fetching a new connection from the connection pool."), { code: "P2024" }),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5999"), { code: "ECONNREFUSED", syscall: "connect" }),
      new Error("Connection terminated unexpectedly"),
      // A driver-adapter error PostgreSQL's own code travels in: the server is shutting down.
      Object.assign(new Error("DriverAdapterError"), { cause: { kind: "postgres", originalCode: "57P01" } }),
      { message: "wrapped", originalError: Object.assign(new Error("x"), { cause: { code: "08006" } }) },
      { message: "prisma", meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } } },
    ];
    for (const error of outages) expect(isDatabaseUnavailable(error), String((error as Error).message)).toBe(true);
  });

  it("when the error is about the data or a bug, then it is not an outage", () => {
    const others: unknown[] = [
      Object.assign(new Error("Unique constraint failed"), { code: "P2002" }),
      Object.assign(new Error("DriverAdapterError"), { cause: { kind: "postgres", originalCode: "23514" } }),
      new TypeError("Cannot read properties of undefined"),
      undefined,
      "a string",
    ];
    for (const error of others) expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
