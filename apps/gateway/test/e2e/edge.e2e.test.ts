import { readFileSync } from "node:fs";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import { MyOrdersDocument } from "@monograph/client";
import { ANONYMOUS, CALLER_HEADER, signRequest } from "@monograph/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/env.ts";
import { startMonograph, type RunningMonograph } from "../../src/monograph.ts";
import { documentText } from "../support/client.ts";
import { aliasFlood, COST_BOMB, deepSelection, floodFromAnotherProcess, fragmentExplosion, NESTED_LIST, parseRawAnswer, percentile, rawExchange, slowBody } from "../support/hostile.ts";
import { startShape, TEST_SECRETS, type RunningShape } from "../support/shapes.ts";

// Issue 8, items 1 and 3: one hostile request must never take the API down. Every limit and every bound of the
// HTTP front, against the monolith's gateway and against a subgraph process (inventory, alone in its process as in
// the hybrid shape, called the way the gateway calls it: with a signed caller header). Real processes, real HTTP.
process.env.APOLLO_TELEMETRY_DISABLED ??= "true";

const ORIGIN = "http://localhost:5173";
// Tighter than the defaults only where a test would otherwise wait: 10 s for a slow client's headers. The request
// deadline is one every request of these shapes runs under, the first ones too: at 1.5 s, a cold monolith's first
// ten-alias query on PostgreSQL (planning, graphql-jit compiling, role pools opening) overran it on a busy CI machine.
const REQUEST_DEADLINE_MS = 5_000;
const EDGE_ENV = { HEADERS_TIMEOUT_MS: "1000", BODY_TIMEOUT_MS: "2000", MAX_IN_FLIGHT: "8", CORS_ORIGINS: ORIGIN, REQUEST_DEADLINE_MS: String(REQUEST_DEADLINE_MS) };

interface Target {
  name: string;
  url: string;
  graphqlUrl: string;
  /** What the gateway adds to a subgraph call, signed for this body; nothing for the gateway itself. */
  headers(body: string): Promise<Record<string, string>>;
  /** A valid selection deeper than MAX_DEPTH (8) in this target's schema. */
  tooDeep: string;
  /**
   * What a stranger's flood of hostile documents gets: the gateway refuses each by its limits (400); a sealed
   * subgraph process refuses each before parsing, as unsigned (401).
   */
  floodStatus: number;
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  ms: number;
}

async function post(target: Target, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const json = typeof body === "string" ? body : JSON.stringify(body);
  const response = await fetch(target.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await target.headers(json)), ...headers },
    body: json,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), ms: performance.now() - started };
}

/** The hostile documents issue 8 measured, and their kin; every one is refused. */
const HOSTILE_BODIES = [{ query: deepSelection() }, { query: aliasFlood() }, { query: fragmentExplosion() }, { query: COST_BOMB, variables: { n: 100 } }, { query: NESTED_LIST }];

/** User and system CPU time of a process, in ms (Linux: utime and stime in clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const codes = (answer: Answer): unknown[] => (Array.isArray(answer.body) ? answer.body : [answer.body]).flatMap((part: any) => (part.errors ?? []).map((error: any) => error.extensions?.code));

let monolith: RunningShape;
let hybrid: RunningShape;
const targets: Target[] = [];

beforeAll(async () => {
  [monolith, hybrid] = await Promise.all([startShape("monolith", EDGE_ENV), startShape("hybrid", EDGE_ENV)]);
  const inventory = hybrid.processes.get("inventory")!;
  targets.push(
    {
      name: "the monolith's gateway",
      url: monolith.url,
      graphqlUrl: monolith.graphqlUrl,
      headers: async () => ({}),
      floodStatus: 400,
      tooDeep: "{ me { orders { edges { node { customer { orders { edges { node { id } } } } } } } } }",
    },
    {
      name: "a subgraph process (inventory)",
      url: inventory.url,
      graphqlUrl: `${inventory.url}/graphql`,
      headers: async (body) => ({ [CALLER_HEADER]: await signRequest(TEST_SECRETS.INTERNAL_SECRET, ANONYMOUS, { method: "POST", body }) }),
      floodStatus: 401,
      // Inventory's own types are flat; introspection (on outside production) nests. Depth counts __type, not __schema.
      tooDeep: '{ __type(name: "Product") { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } }',
    },
  );
});

afterAll(async () => {
  await Promise.all([monolith?.stop(), hybrid?.stop()]);
});

describe.each([0, 1])(`operation limits (${testDatabaseKind()}), target %#`, (index) => {
  const target = () => targets[index]!;

  it("when a document is too deep, too wide in aliases, directives or root fields, then each limit refuses it with 400 and its own code", async () => {
    const aliases = `{ products(first: 1) { edges { node { ${Array.from({ length: 16 }, (_, i) => `a${i}: sku`).join(" ")} } } } }`;
    const directives = `{ products(first: 1) { ${"__typename @include(if: true) ".repeat(51)} } }`;
    const rootFields = `{ ${Array.from({ length: 11 }, (_, i) => `p${i}: product(sku: "KB-0001") { sku }`).join(" ")} }`;
    const cases: [string, string][] = [
      [target().tooDeep, "DEPTH_LIMIT_EXCEEDED"],
      [aliases, "ALIAS_LIMIT_EXCEEDED"],
      [directives, "DIRECTIVE_LIMIT_EXCEEDED"],
      [rootFields, "ROOT_FIELD_LIMIT_EXCEEDED"],
      [`{ products(first: 1) { totalCount ${"__typename ".repeat(1_000)}} }`, "TOKEN_LIMIT_EXCEEDED"],
    ];
    for (const [query, code] of cases) {
      const answer = await post(target(), { query });
      expect({ name: target().name, code, status: answer.status, codes: codes(answer) }).toEqual({ name: target().name, code, status: 400, codes: [code] });
    }
  });

  it("when an operation would resolve too many items, then COST_LIMIT_EXCEEDED, with page sizes taken from the variables", async () => {
    const refused = await post(target(), { query: COST_BOMB, variables: { n: 100 } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ message: "Cost limit of 10000 exceeded, found 10010.", extensions: { code: "COST_LIMIT_EXCEEDED" } }]);
    // The same document with small pages is fine.
    expect((await post(target(), { query: COST_BOMB, variables: { n: 2 } })).status).toBe(200);
  });

  it("when the 1,500-deep anonymous query, the 1,000-alias query and their kin arrive, then each is refused in milliseconds and the process stays up", async () => {
    const hostile: [string, unknown, string][] = [
      ["1,500 levels deep", { query: deepSelection() }, "DEPTH_LIMIT_EXCEEDED"],
      ["1,000 aliases of products(first: 100)", { query: aliasFlood() }, "TOKEN_LIMIT_EXCEEDED"],
      ["5,000 nested lists", { query: NESTED_LIST }, "DEPTH_LIMIT_EXCEEDED"],
      ["fragments spreading fragments", { query: fragmentExplosion() }, "COST_LIMIT_EXCEEDED"],
    ];
    expect(deepSelection().length).toBeGreaterThan(20_000);
    for (const [what, body, code] of hostile) {
      const answer = await post(target(), body);
      expect({ what, status: answer.status, codes: codes(answer) }).toEqual({ what, status: 400, codes: [code] });
      expect(JSON.stringify(answer.body)).not.toMatch(/call stack/i);
      // Milliseconds, not the seconds the planner needed; generous for a busy 2-core machine.
      expect(answer.ms).toBeLessThan(1_000);
    }
    expect((await fetch(`${target().url}/health`)).status).toBe(200);
  });

  it("when hostile documents arrive six at a time, then /health keeps answering within 50 ms", async () => {
    const bodies = HOSTILE_BODIES.map((body) => JSON.stringify(body));
    const probeHealth = async (latencies: number[]) => {
      const started = performance.now();
      const response = await fetch(`${target().url}/health`);
      await response.text();
      latencies.push(performance.now() - started);
      expect(response.status).toBe(200);
    };
    // What /health takes on this machine right now, without hostile traffic: the 50 ms are the server's share.
    const quiet: number[] = [];
    for (let i = 0; i < 20; i++) await probeHealth(quiet);
    let sending = true;
    const latencies: number[] = [];
    const probe = (async () => {
      while (sending) await probeHealth(latencies);
    })();
    // Sent as a stranger would: a signature is bound to one body, so a flood cannot carry one.
    const headers = { "content-type": "application/json" };
    const statuses = await floodFromAnotherProcess({ url: target().graphqlUrl, headers, bodies, concurrency: 6, perWorker: 25 }).finally(() => (sending = false));
    await probe;
    expect(statuses).toHaveLength(150);
    expect(new Set(statuses)).toEqual(new Set([target().floodStatus]));
    expect(latencies.length).toBeGreaterThan(5);
    // Before the limits, one such document held the event loop for seconds. The median is the server; the tail
    // on a shared 2-core machine is mostly the machine, so it gets a looser bound.
    expect(percentile(latencies, 50)).toBeLessThan(50 + percentile(quiet, 50));
    expect(Math.max(...latencies)).toBeLessThan(2_000);
  });

  it("when hostile documents are refused, then each costs the server about a millisecond of CPU", async () => {
    const bodies = HOSTILE_BODIES.map((body) => JSON.stringify(body));
    // A subgraph process is a process of its own: its CPU time is its own. The monolith shares the test's process,
    // whose CPU time includes the client's.
    const inventory = hybrid.processes.get("inventory")!;
    const cpuMs = index === 1 ? () => processCpuMs(inventory.child.pid!) : () => (process.cpuUsage().user + process.cpuUsage().system) / 1000;
    for (const body of bodies) await post(target(), body);
    const before = cpuMs();
    for (let i = 0; i < 100; i++) await post(target(), bodies[i % bodies.length]);
    const perRequest = (cpuMs() - before) / 100;
    expect(perRequest).toBeLessThan(index === 1 ? 5 : 10);
  });

  it("when a variable or a literal holds a NUL character, then 400 BAD_USER_INPUT before any SQL sees it", async () => {
    const byVariable = await post(target(), { query: "query ($f: ProductFilter) { products(filter: $f) { totalCount } }", variables: { f: { nameContains: "key\u0000board" } } });
    expect({ status: byVariable.status, codes: codes(byVariable) }).toEqual({ status: 400, codes: ["BAD_USER_INPUT"] });
    const byLiteral = await post(target(), { query: '{ products(filter: { nameContains: "key\\u0000board" }) { totalCount } }' });
    expect({ status: byLiteral.status, codes: codes(byLiteral) }).toEqual({ status: 400, codes: ["BAD_USER_INPUT"] });
  });

  it("when the operationName is unknown, missing among several, or not a string, then 400 with a code, never a 500", async () => {
    const unknown = await post(target(), { query: "query A { __typename }", operationName: "B" });
    expect({ status: unknown.status, codes: codes(unknown), message: unknown.body.errors[0].message }).toEqual({
      status: 400,
      codes: ["OPERATION_RESOLUTION_FAILURE"],
      message: 'Unknown operation named "B".',
    });
    const missing = await post(target(), { query: "query A { __typename } query B { __typename }" });
    expect({ status: missing.status, codes: codes(missing) }).toEqual({ status: 400, codes: ["OPERATION_RESOLUTION_FAILURE"] });
    const wrongType = await post(target(), { query: "{ __typename }", operationName: 7 });
    expect({ status: wrongType.status, codes: codes(wrongType) }).toEqual({ status: 400, codes: ["BAD_REQUEST"] });
  });

  it("when extensions.persistedQuery is malformed (wrong version, a hash that does not match, not an object), then 400 BAD_REQUEST", async () => {
    for (const persistedQuery of [{ version: 2, sha256Hash: "a".repeat(64) }, { version: 1, sha256Hash: "abc" }, "x", true]) {
      const answer = await post(target(), { query: "{ __typename }", extensions: { persistedQuery } });
      expect({ persistedQuery, status: answer.status, codes: codes(answer) }).toEqual({ persistedQuery, status: 400, codes: ["BAD_REQUEST"] });
    }
  });

  it("when the JSON has the wrong types, then 400 BAD_REQUEST", async () => {
    for (const body of [{ query: 1 }, { query: "{ __typename }", variables: [1] }, { query: "{ __typename }", variables: "{}" }, { query: "{ __typename }", extensions: 5 }, "null", "[1, 2]", "{"]) {
      const answer = await post(target(), body);
      expect({ body, status: answer.status, codes: codes(answer) }).toEqual({ body, status: 400, codes: expect.arrayContaining(["BAD_REQUEST"]) });
    }
  });
});

describe.each([0, 1])(`the HTTP front (${testDatabaseKind()}), target %#`, (index) => {
  const target = () => targets[index]!;

  it("when the body is over MAX_BODY_BYTES, then 413 PAYLOAD_TOO_LARGE", async () => {
    const answer = await post(target(), { query: "{ __typename }", variables: { padding: "x".repeat(1024 * 1024) } });
    expect({ status: answer.status, codes: codes(answer) }).toEqual({ status: 413, codes: ["PAYLOAD_TOO_LARGE"] });
  });

  it("when a client sends its headers slowly, then its socket is closed after HEADERS_TIMEOUT_MS with 408 REQUEST_TIMEOUT", async () => {
    const { answer, closedAfterMs } = await rawExchange(target().url, "POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n");
    expect(parseRawAnswer(answer)).toEqual({ status: 408, body: { errors: [{ message: "Request Timeout", extensions: { code: "REQUEST_TIMEOUT" } }] } });
    expect(closedAfterMs).toBeLessThan(10_000);
  });

  it("when clients hold MAX_IN_FLIGHT requests open, then the next is 503 OVERLOADED with Retry-After, /health answers, and room comes back", async () => {
    const held = await Promise.all(Array.from({ length: 8 }, async () => slowBody(target().url, await target().headers(""))));
    try {
      const refused = await post(target(), { query: "{ __typename }" });
      expect({ status: refused.status, codes: codes(refused), retryAfter: refused.headers.get("retry-after") }).toEqual({ status: 503, codes: ["OVERLOADED"], retryAfter: "1" });
      expect((await fetch(`${target().url}/health`)).status).toBe(200);
    } finally {
      for (const request of held) request.release();
    }
    // Room comes back as the held requests end (their sockets were closed).
    let answer: Answer;
    for (let attempt = 0; ; attempt++) {
      answer = await post(target(), { query: "{ __typename }" });
      if (answer.status !== 503 || attempt > 100) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(answer.status).toBe(200);
  });

  it("when a page on an allowed origin calls, then CORS lets it read; preflight is answered; other origins get no CORS headers", async () => {
    const allowed = await post(target(), { query: "{ __typename }" }, { origin: ORIGIN });
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    const other = await post(target(), { query: "{ __typename }" }, { origin: "http://evil.example" });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(target().graphqlUrl, { method: "OPTIONS", headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/content-type/);
  });

  it("when a batch arrives (as BatchHttpLink sends it), then each operation is answered and held to the limits; over MAX_BATCH, 400 BATCH_LIMIT_EXCEEDED", async () => {
    const batch = await post(target(), [{ query: "{ products(first: 2) { edges { node { sku } } } }" }, { query: target().tooDeep }]);
    expect(batch.body).toHaveLength(2);
    expect(batch.body[0].data.products.edges.length).toBeLessThanOrEqual(2);
    expect(codes({ ...batch, body: [batch.body[1]] })).toEqual(["DEPTH_LIMIT_EXCEEDED"]);
    const tooMany = await post(target(), Array.from({ length: 11 }, () => ({ query: "{ __typename }" })));
    expect({ status: tooMany.status, codes: codes(tooMany) }).toEqual({ status: 400, codes: ["BATCH_LIMIT_EXCEEDED"] });
  });
});

describe(`the gateway's request deadline (hybrid, ${testDatabaseKind()})`, () => {
  it("when a subgraph stops answering, then the client gets 504 REQUEST_TIMEOUT at REQUEST_DEADLINE_MS, and the gateway serves others", async () => {
    const inventory = hybrid.processes.get("inventory")!;
    inventory.child.kill("SIGSTOP");
    try {
      const started = performance.now();
      const response = await fetch(hybrid.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ products(first: 1) { totalCount } }" }) });
      const elapsed = performance.now() - started;
      expect(response.status).toBe(504);
      expect(await response.json()).toEqual({ errors: [{ message: `The request did not complete within ${REQUEST_DEADLINE_MS} ms.`, extensions: { code: "REQUEST_TIMEOUT" } }] });
      expect(elapsed).toBeGreaterThanOrEqual(REQUEST_DEADLINE_MS - 100);
      expect(elapsed).toBeLessThan(REQUEST_DEADLINE_MS + 8_500);
      // Users still live in the gateway's process: answered while inventory is frozen.
      const me = await fetch(hybrid.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ me { id } }" }) });
      expect(await me.json()).toEqual({ data: { me: null } });
    } finally {
      inventory.child.kill("SIGCONT");
    }
  });
});

describe(`in production (${testDatabaseKind()})`, () => {
  let database: TestDatabase;
  let production: RunningMonograph;
  // The safelist (on by default in production) refuses an unrecorded document before validation could suggest
  // anything; with OPERATIONS=open, validation itself must not suggest either.
  let productionOpen: RunningMonograph;
  beforeAll(async () => {
    database = await createTestDatabase();
    production = await startMonograph({ config: loadGatewayConfig({ ...TEST_SECRETS, NODE_ENV: "production", PORT: "0" }), database: database.target, seed: false });
    productionOpen = await startMonograph({
      config: loadGatewayConfig({ ...TEST_SECRETS, NODE_ENV: "production", OPERATIONS: "open", PORT: "0" }),
      database: database.target,
      seed: false,
    });
  });
  afterAll(async () => {
    await Promise.all([production?.stop(), productionOpen?.stop()]);
    await database?.drop();
  });

  it("when a field name is misspelled, then the error does not suggest the real names (it does outside production)", async () => {
    const ask = (url: string) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ produts { totalCount } }" }) }).then((r) => r.json() as Promise<any>);
    expect((await ask(productionOpen.graphqlUrl)).errors).toEqual([expect.objectContaining({ message: 'Cannot query field "produts" on type "Query".', extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })]);
    expect(JSON.stringify(await ask(production.graphqlUrl))).not.toMatch(/Did you mean/);
    expect((await ask(monolith.graphqlUrl)).errors[0].message).toMatch(/Did you mean "products"/);
  });

  it("when MyOrders, the deepest recorded operation, runs, then the limits let it through", async () => {
    const answer = await fetch(production.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: documentText(MyOrdersDocument) }) });
    expect(await answer.json()).toEqual({ data: { me: null } });
  });
});
