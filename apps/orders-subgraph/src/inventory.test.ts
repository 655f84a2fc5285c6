import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CALLER_HEADER, DomainError, verifyRequest, type Caller } from "@monograph/platform";
import { captureLogs } from "@monograph/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpInventoryClient } from "./inventory.ts";

const SECRET = "orders-inventory-test-secret-0123";

interface Received {
  path: string;
  /** Null when the header was not signed for this very request (method and body). */
  caller: Caller | null;
  body: unknown;
}

describe("HttpInventoryClient", () => {
  let server: Server;
  let baseUrl: string;
  const received: Received[] = [];
  let reply: { status: number; body: string } = { status: 200, body: "{}" };

  beforeAll(async () => {
    server = createServer((request, response) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of request as IncomingMessage) chunks.push(chunk as Buffer);
        const header = request.headers[CALLER_HEADER];
        received.push({
          path: request.url ?? "",
          caller: await verifyRequest(SECRET, Array.isArray(header) ? header[0] : header, { method: request.method ?? "GET", body: Buffer.concat(chunks) }),
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        });
        response.writeHead(reply.status, { "content-type": "application/json" });
        response.end(reply.body);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const client = () => new HttpInventoryClient({ baseUrl, internalSecret: SECRET });

  it("when reserving, then it posts the lines to inventory signed as the orders service and returns the captured prices", async () => {
    const lines = [{ sku: "KB-1", name: "Keyboard", quantity: 2, unitPriceCents: 4999, currency: "USD" }];
    reply = { status: 200, body: JSON.stringify({ lines }) };
    received.length = 0;
    const result = await client().reserve("6f1c0a4e-2b1d-4a53-9d55-0d3f7f7e9a10", [{ sku: "KB-1", quantity: 2 }]);
    expect(result).toEqual({ lines });
    expect(received).toEqual([
      {
        path: "/internal/reservations/reserve",
        caller: { kind: "service", service: "orders" },
        body: { orderId: "6f1c0a4e-2b1d-4a53-9d55-0d3f7f7e9a10", lines: [{ sku: "KB-1", quantity: 2 }] },
      },
    ]);
  });

  it("when releasing and committing, then it posts the order id to the matching endpoint", async () => {
    reply = { status: 200, body: JSON.stringify({ ok: true }) };
    received.length = 0;
    await client().release("o-1");
    await client().commit("o-1");
    expect(received.map(({ path, body }) => ({ path, body }))).toEqual([
      { path: "/internal/reservations/release", body: { orderId: "o-1" } },
      { path: "/internal/reservations/commit", body: { orderId: "o-1" } },
    ]);
  });

  it("when inventory answers with a coded error, then it becomes the same DomainError, SKU included", async () => {
    reply = { status: 409, body: JSON.stringify({ error: { code: "OUT_OF_STOCK", message: "Only 1 left of KB-1.", sku: "KB-1" } }) };
    const error = await client().reserve("o-2", [{ sku: "KB-1", quantity: 2 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toBe("Only 1 left of KB-1.");
    expect((error as DomainError).extensions).toEqual({ code: "OUT_OF_STOCK", sku: "KB-1" });
  });

  it.each([
    ["an unknown error code", 400, JSON.stringify({ error: { code: "SOMETHING_ELSE", message: "x" } })],
    ["a body that is not inventory's", 502, "<html>Bad gateway</html>"],
    ["a success that is not a reservation", 200, JSON.stringify({ nope: true })],
  ])("when inventory answers with %s, then it is SERVICE_UNAVAILABLE", async (_label, status, body) => {
    reply = { status, body };
    const error = await client().reserve("o-3", [{ sku: "KB-1", quantity: 1 }]).catch((e: unknown) => e);
    expect((error as DomainError).extensions?.code).toBe("SERVICE_UNAVAILABLE");
  });

  it("when inventory cannot be reached, then it is SERVICE_UNAVAILABLE and the message does not reveal where inventory lives", async () => {
    const logs = captureLogs();
    try {
      const unreachable = new HttpInventoryClient({ baseUrl: "http://127.0.0.1:9", internalSecret: SECRET, timeoutMs: 2_000 });
      const error = await unreachable.release("o-4").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).extensions?.code).toBe("SERVICE_UNAVAILABLE");
      expect((error as DomainError).message).not.toMatch(/127\.0\.0\.1|:9|http/);
      expect(logs.matching("inventory release failed")).toHaveLength(1);
    } finally {
      logs.restore();
    }
  });

  it("when inventory accepts the call but never answers, then it is SERVICE_UNAVAILABLE within the timeout", async () => {
    const logs = captureLogs();
    const hung = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    try {
      const client = new HttpInventoryClient({ baseUrl: `http://127.0.0.1:${(hung.address() as AddressInfo).port}`, internalSecret: SECRET, timeoutMs: 300 });
      const started = Date.now();
      const error = await client.reserve("o-5", [{ sku: "KB-1", quantity: 1 }]).catch((e: unknown) => e);
      expect((error as DomainError).extensions?.code).toBe("SERVICE_UNAVAILABLE");
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      logs.restore();
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });
});
