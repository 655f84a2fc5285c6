import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import type { DatabaseHandle } from "@monograph/db";
import { CALLER_HEADER, signRequest, startSubgraphServer, type Caller, type RunningServer } from "@monograph/platform";
import { captureLogs } from "@monograph/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInventoryReservations, createInventorySubgraph, inventoryInternalRoutes } from "./index.ts";

const SECRET = "inventory-internal-test-secret-0123";
const ORDERS: Caller = { kind: "service", service: "orders" };

describe("inventory's internal reservation routes, over HTTP", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  let server: RunningServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
    await db.prisma.product.createMany({
      data: [
        { sku: "HTTP-0001", name: "Desk Lamp", priceCents: 3999, stockAvailable: 10 },
        { sku: "HTTP-0002", name: "Last Chair", priceCents: 12999, stockAvailable: 1 },
      ],
    });
    const reservations = createInventoryReservations({ db: db.prisma });
    server = await startSubgraphServer({
      subgraph: createInventorySubgraph({ db: db.prisma }),
      internalSecret: SECRET,
      port: 0,
      extraRoutes: inventoryInternalRoutes(reservations, SECRET),
    });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
    await database?.drop();
  });

  /** Headers for one request: the caller header signed for its method and body, as HttpInventoryClient signs it. */
  type Signer = (method: string, body: string) => Promise<Record<string, string>>;
  const as =
    (caller: Caller, secret = SECRET, now?: Date): Signer =>
    async (method, body) => ({ [CALLER_HEADER]: await signRequest(secret, caller, { method, body }, { now }) });
  const unsigned: Signer = async () => ({});

  async function post(action: string, body: unknown, sign: Signer = unsigned): Promise<{ status: number; body: unknown }> {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const response = await fetch(`${server.url}/internal/reservations/${action}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await sign("POST", text)) },
      body: text,
    });
    return { status: response.status, body: await response.json() };
  }
  const stockOf = (sku: string) => db.prisma.product.findUniqueOrThrow({ where: { sku }, select: { stockAvailable: true, stockReserved: true } });

  it("when the orders service reserves, then it gets the captured lines, and release gives the stock back", async () => {
    const orderId = randomUUID();
    const reserved = await post("reserve", { orderId, lines: [{ sku: "HTTP-0001", quantity: 2 }] }, as(ORDERS));
    expect(reserved).toEqual({
      status: 200,
      body: { lines: [{ sku: "HTTP-0001", name: "Desk Lamp", quantity: 2, unitPriceCents: 3999, currency: "USD" }] },
    });
    expect(await stockOf("HTTP-0001")).toEqual({ stockAvailable: 8, stockReserved: 2 });

    expect(await post("release", { orderId }, as(ORDERS))).toEqual({ status: 200, body: { ok: true } });
    expect(await post("release", { orderId }, as(ORDERS))).toEqual({ status: 200, body: { ok: true } });
    expect(await stockOf("HTTP-0001")).toEqual({ stockAvailable: 10, stockReserved: 0 });
  });

  it("when the orders service commits, then the reserved units are sold", async () => {
    const orderId = randomUUID();
    await post("reserve", { orderId, lines: [{ sku: "HTTP-0001", quantity: 1 }] }, as(ORDERS));
    expect(await post("commit", { orderId }, as(ORDERS))).toEqual({ status: 200, body: { ok: true } });
    expect(await stockOf("HTTP-0001")).toEqual({ stockAvailable: 9, stockReserved: 0 });
  });

  it.each([
    ["no caller header", unsigned],
    ["a header signed with another secret", as(ORDERS, "someone-elses-secret-0123456789")],
    ["a signed-in admin instead of a service", as({ kind: "user", userId: randomUUID(), role: "ADMIN" })],
    ["an anonymous caller", as({ kind: "anonymous" })],
    ["a header that is not a token", (async () => ({ [CALLER_HEADER]: "not-a-jwt" })) as Signer],
    ["a header the orders service signed for another body (replayed)", (async (method: string) => as(ORDERS)(method, JSON.stringify({ orderId: randomUUID(), lines: [] }))) as Signer],
    ["a header the orders service signed two minutes ago (expired)", as(ORDERS, SECRET, new Date(Date.now() - 120_000))],
  ])("when a request comes with %s, then it is 401 UNAUTHENTICATED and nothing is reserved", async (_label, sign) => {
    const before = await stockOf("HTTP-0001");
    const orderId = randomUUID();
    const result = await post("reserve", { orderId, lines: [{ sku: "HTTP-0001", quantity: 1 }] }, sign);
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ error: { code: "UNAUTHENTICATED", message: expect.any(String) } });
    expect(await stockOf("HTTP-0001")).toEqual(before);
    expect(await db.prisma.reservation.count({ where: { orderId } })).toBe(0);
  });

  it("when a line lacks stock or names an unknown SKU, then it is 409 OUT_OF_STOCK or 404 NOT_FOUND with the SKU", async () => {
    const outOfStock = await post(
      "reserve",
      {
        orderId: randomUUID(),
        lines: [
          { sku: "HTTP-0001", quantity: 1 },
          { sku: "HTTP-0002", quantity: 2 },
        ],
      },
      as(ORDERS),
    );
    expect(outOfStock).toEqual({ status: 409, body: { error: { code: "OUT_OF_STOCK", message: expect.stringContaining("HTTP-0002"), sku: "HTTP-0002" } } });
    const unknown = await post("reserve", { orderId: randomUUID(), lines: [{ sku: "HTTP-9999", quantity: 1 }] }, as(ORDERS));
    expect(unknown).toEqual({ status: 404, body: { error: { code: "NOT_FOUND", message: expect.any(String), sku: "HTTP-9999" } } });
  });

  it("when committing an order that was released, then it is 409 INVALID_STATE_TRANSITION; without any reservation, 404", async () => {
    const orderId = randomUUID();
    await post("reserve", { orderId, lines: [{ sku: "HTTP-0001", quantity: 1 }] }, as(ORDERS));
    await post("release", { orderId }, as(ORDERS));
    const result = await post("commit", { orderId }, as(ORDERS));
    expect(result).toEqual({ status: 409, body: { error: { code: "INVALID_STATE_TRANSITION", message: expect.any(String) } } });
    expect((await post("commit", { orderId: randomUUID() }, as(ORDERS))).status).toBe(404);
  });

  it.each([
    ["a body that is not JSON", "reserve", "{ not json"],
    ["an empty body", "reserve", ""],
    ["a reserve without lines", "reserve", { orderId: "6f1c0a4e-2b1d-4a53-9d55-0d3f7f7e9a10" }],
    ["lines of the wrong shape", "reserve", { orderId: "6f1c0a4e-2b1d-4a53-9d55-0d3f7f7e9a10", lines: [{ sku: "HTTP-0001", quantity: "2" }] }],
    ["an order id that is not a UUID", "release", { orderId: "o-1" }],
    ["a zero quantity", "reserve", { orderId: "6f1c0a4e-2b1d-4a53-9d55-0d3f7f7e9a10", lines: [{ sku: "HTTP-0001", quantity: 0 }] }],
    ["a JSON array", "commit", [1, 2]],
  ])("when the body is %s, then it is 400 BAD_USER_INPUT", async (_label, action, body) => {
    const result = await post(action, body, as(ORDERS));
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: { code: "BAD_USER_INPUT", message: expect.any(String) } });
  });

  it("when the method or the endpoint is wrong, then it is 405 or 404, and only for a service caller", async () => {
    const get = await fetch(`${server.url}/internal/reservations/reserve`, { headers: await as(ORDERS)("GET", "") });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await post("steal", {}, as(ORDERS))).status).toBe(404);
    expect((await post("steal", {})).status).toBe(401);
  });

  it("when the database fails, then it is 503 SERVICE_UNAVAILABLE and the answer holds nothing internal", async () => {
    const failing = inventoryInternalRoutes(
      {
        reserve: () => Promise.reject(new Error('relation "inventory.products" does not exist at 10.0.0.5:5432')),
        release: () => Promise.resolve(),
        commit: () => Promise.resolve(),
      },
      SECRET,
    );
    const broken = await startSubgraphServer({ subgraph: createInventorySubgraph({ db: db.prisma }), internalSecret: SECRET, port: 0, extraRoutes: failing });
    const logs = captureLogs();
    try {
      const body = JSON.stringify({ orderId: randomUUID(), lines: [{ sku: "HTTP-0001", quantity: 1 }] });
      const response = await fetch(`${broken.url}/internal/reservations/reserve`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(await as(ORDERS)("POST", body)) },
        body,
      });
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ error: { code: "SERVICE_UNAVAILABLE", message: expect.any(String) } });
      expect(text).not.toMatch(/relation|10\.0\.0\.5|inventory\.products/);
      expect(logs.matching("internal reserve failed")).toHaveLength(1);
    } finally {
      logs.restore();
      await broken.stop();
    }
  });

  it("when other paths are requested, then GraphQL (for the gateway's signed requests) and health are served as usual", async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const body = JSON.stringify({ query: `{ product(sku: "HTTP-0001") { name } }` });
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await as({ kind: "anonymous" })("POST", body)) },
      body,
    });
    expect(await response.json()).toEqual({ data: { product: { name: "Desk Lamp" } } });
  });
});
