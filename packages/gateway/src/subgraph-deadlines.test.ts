import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayContext } from "./context.ts";
import { SignedRemoteDataSource } from "./remote-data-source.ts";
import { ConcurrencyLimit, isConnectionFailure, isIdempotentOperation, SubgraphCallError, withDeadline } from "./subgraph-deadlines.ts";

const refused = () => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }) });

describe("subgraph deadlines", () => {
  it("queries and entity fetches are idempotent, mutations are not", () => {
    expect(isIdempotentOperation("query($representations:[_Any!]!){_entities(representations:$representations){__typename}}")).toBe(true);
    expect(isIdempotentOperation("{ me { id } }")).toBe(true);
    expect(isIdempotentOperation("mutation($input:CreateOrderInput!){createOrder(input:$input){id}}")).toBe(false);
    expect(isIdempotentOperation("subscription { x }")).toBe(false);
  });

  it("a refused or dropped connection is a connection failure; a timeout is not", () => {
    expect(isConnectionFailure(refused())).toBe(true);
    expect(isConnectionFailure(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }))).toBe(true);
    expect(isConnectionFailure(new DOMException("The operation was aborted due to timeout", "TimeoutError"))).toBe(false);
    expect(isConnectionFailure(new Error("500 Internal Server Error"))).toBe(false);
  });

  it("when a query cannot connect, then it is sent once more; a mutation never is", async () => {
    const limit = new ConcurrencyLimit(4);
    let tries = 0;
    const flaky = async () => {
      tries += 1;
      if (tries === 1) throw refused();
      return "answer";
    };
    expect(await withDeadline(limit, { timeoutMs: 1_000, maxConcurrency: 4 }, true, flaky)).toBe("answer");
    expect(tries).toBe(2);

    tries = 0;
    const error = await withDeadline(limit, { timeoutMs: 1_000, maxConcurrency: 4 }, false, flaky).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubgraphCallError);
    expect((error as SubgraphCallError).reason).toBe("unreachable");
    expect(tries).toBe(1);
    expect(limit.inFlight).toBe(0);
  });

  it("when the slots are taken, then a call waits for one within its deadline, and gives up at the deadline", async () => {
    const limit = new ConcurrencyLimit(1);
    let releaseFirst!: () => void;
    const first = withDeadline(limit, { timeoutMs: 5_000, maxConcurrency: 1 }, true, () => new Promise<string>((resolve) => (releaseFirst = () => resolve("first"))));
    const started = Date.now();
    const starved = await withDeadline(limit, { timeoutMs: 200, maxConcurrency: 1 }, true, async () => "never").catch((e: unknown) => e);
    expect((starved as SubgraphCallError).reason).toBe("overloaded");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(limit.queued).toBe(0);

    const waiting = withDeadline(limit, { timeoutMs: 5_000, maxConcurrency: 1 }, true, async () => "second");
    expect(limit.queued).toBe(1);
    releaseFirst();
    expect(await first).toBe("first");
    expect(await waiting).toBe("second");
    expect(limit.inFlight).toBe(0);
  });

  describe("a remote subgraph that does not answer", () => {
    let server: Server;
    let url: string;
    let received = 0;
    beforeAll(async () => {
      // Accepts the request and never answers, as a frozen process would.
      server = createServer(() => void (received += 1));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    const fetchFrom = (source: SignedRemoteDataSource, query: string) =>
      source.process({
        kind: "health check",
        request: { query, variables: {} },
        context: { caller: { kind: "anonymous" }, subgraphContexts: new Map() },
      } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);

    it("when a fetch gets no answer, then it fails with SERVICE_UNAVAILABLE naming the service, within its timeout, and is not sent twice", async () => {
      const source = new SignedRemoteDataSource("inventory", url, "test-internal-secret-0123456789", { timeoutMs: 400 });
      const started = Date.now();
      const error = (await fetchFrom(source, "{ products { edges { node { sku } } } }").catch((e: unknown) => e)) as { message: string; extensions: Record<string, unknown> };
      const elapsed = Date.now() - started;
      expect(error.extensions).toEqual({ code: "SERVICE_UNAVAILABLE", service: "inventory" });
      expect(error.message).not.toContain("127.0.0.1");
      expect(elapsed).toBeGreaterThanOrEqual(350);
      expect(elapsed).toBeLessThan(2_000);
      expect(received).toBe(1);
    });

    it("when fetches pile up on a hung subgraph, then no more than the bound are in flight, and each fails by its deadline", async () => {
      received = 0;
      const source = new SignedRemoteDataSource("inventory", url, "test-internal-secret-0123456789", { timeoutMs: 500, maxConcurrency: 2 });
      const started = Date.now();
      const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => fetchFrom(source, "{ products { edges { node { sku } } } }")));
      expect(results.every((result) => result.status === "rejected")).toBe(true);
      expect(Date.now() - started).toBeLessThan(2_000);
      // Two reached the subgraph; the other three waited for a slot until their deadline.
      expect(received).toBe(2);
    });
  });
});
