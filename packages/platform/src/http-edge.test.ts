import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { ApolloServer } from "@apollo/server";
import { afterEach, describe, expect, it } from "vitest";
import { startHttpServer, type HttpEdgeOptions, type RunningServer } from "./http.ts";
import { DEFAULT_OPERATION_LIMITS, formatEdgeError, operationLimitOptions } from "./limits.ts";

// The HTTP front's bounds, each against a small Apollo server built the way the gateway and subgraphs build theirs.
// The same bounds are checked end to end, in the monolith and in a subgraph process, in apps/gateway/test/e2e.

/** Resolvers of `slow` wait here until the test lets them go. */
let releaseSlow: () => void = () => {};
let slowGate = Promise.resolve();
function holdSlowRequests(): void {
  slowGate = new Promise<void>((resolve) => {
    releaseSlow = resolve;
  });
}

const running: RunningServer[] = [];
async function start(edge: Partial<HttpEdgeOptions> = {}): Promise<RunningServer> {
  const limits = operationLimitOptions(DEFAULT_OPERATION_LIMITS, { maxBatch: edge.maxBatch ?? 10 });
  const apollo = new ApolloServer({
    typeDefs: "type Query { hello: String, slow: String, node: Node } type Node { name: String, child: Node }",
    resolvers: { Query: { hello: () => "world", slow: async () => (await slowGate, "done"), node: () => ({}) }, Node: { name: () => "n", child: () => ({}) } },
    ...limits,
    formatError: (formatted, error) => formatEdgeError(formatted, error),
  });
  const server = await startHttpServer({ apollo, port: 0, context: async () => ({}), edge });
  running.push(server);
  return server;
}

afterEach(async () => {
  releaseSlow();
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function post(server: RunningServer, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(server.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

/** Writes raw bytes to the server and resolves with everything it answers once it closes the socket, and when. */
function rawExchange(server: RunningServer, bytes: string, timeoutMs = 20_000): Promise<{ answer: string; closedAfterMs: number }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(bytes));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("error", () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`socket still open after ${timeoutMs} ms; got: ${answer}`));
    }, timeoutMs);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
  });
}

const codeIn = (answer: string) => (JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code;

describe("the HTTP front's bounds", () => {
  it("when a body declares more bytes than MAX_BODY_BYTES, or streams more without declaring, then 413 PAYLOAD_TOO_LARGE, and the server keeps serving", async () => {
    const server = await start({ maxBodyBytes: 2048 });
    const declared = await post(server, { query: "{ hello }", variables: { padding: "x".repeat(4096) } });
    expect(declared.status).toBe(413);
    expect(declared.body.errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");

    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(server.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.write(`{"query":"{ hello }","variables":{"padding":"${"x".repeat(4096)}`);
      req.end('"}}');
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await post(server, { query: "{ hello }" })).body).toEqual({ data: { hello: "world" } });
  });

  it("when a client sends its headers too slowly, then it gets 408 REQUEST_TIMEOUT and its socket is closed after HEADERS_TIMEOUT_MS, not Node's 60 s", async () => {
    const server = await start({ headersTimeoutMs: 500, requestTimeoutMs: 500 });
    const { answer, closedAfterMs } = await rawExchange(server, "POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(codeIn(answer)).toBe("REQUEST_TIMEOUT");
    expect(closedAfterMs).toBeGreaterThanOrEqual(450);
    expect(closedAfterMs).toBeLessThan(5_000);
  });

  it("when a client sends its body too slowly, then its socket is closed after BODY_TIMEOUT_MS, not Node's 300 s", async () => {
    const server = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const { answer, closedAfterMs } = await rawExchange(
      server,
      'POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"query":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(950);
    expect(closedAfterMs).toBeLessThan(6_000);
  });

  it("when an operation outlives the request deadline, then the client gets 504 REQUEST_TIMEOUT at the deadline", async () => {
    holdSlowRequests();
    const server = await start({ deadlineMs: 300 });
    const started = Date.now();
    const answer = await post(server, { query: "{ slow }" });
    expect(answer.status).toBe(504);
    expect(answer.body.errors).toEqual([{ message: "The request did not complete within 300 ms.", extensions: { code: "REQUEST_TIMEOUT" } }]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("when MAX_IN_FLIGHT requests are being served, then one more gets 503 OVERLOADED with Retry-After, /health still answers, and room frees up", async () => {
    holdSlowRequests();
    const server = await start({ maxInFlight: 2 });
    const held = [post(server, { query: "{ slow }" }), post(server, { query: "{ slow }" })];
    // The two held requests are in flight once a third is refused; poll rather than sleep.
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    for (let attempt = 0; attempt < 200 && !refused; attempt++) {
      const answer = await post(server, { query: "{ hello }" });
      if (answer.status === 503) refused = answer;
    }
    expect(refused?.body.errors[0].extensions.code).toBe("OVERLOADED");
    expect(refused?.headers.get("retry-after")).toBe("1");
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    releaseSlow();
    expect((await Promise.all(held)).map((answer) => answer.body)).toEqual([{ data: { slow: "done" } }, { data: { slow: "done" } }]);
    expect((await post(server, { query: "{ hello }" })).status).toBe(200);
  });

  it("when a browser calls from an allowed origin, then CORS lets it read the answer; from any other origin, no CORS headers", async () => {
    const server = await start({ corsOrigins: ["http://localhost:5173"] });
    const allowed = await post(server, { query: "{ hello }" }, { origin: "http://localhost:5173" });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(allowed.headers.get("vary")).toMatch(/origin/i);
    const other = await post(server, { query: "{ hello }" }, { origin: "http://evil.example" });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();

    const preflight = (origin: string) =>
      fetch(server.graphqlUrl, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type, authorization" } });
    const ok = await preflight("http://localhost:5173");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(ok.headers.get("access-control-allow-methods")).toMatch(/POST/);
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    const refused = await preflight("http://evil.example");
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("when an allowed origin sends a simple (CSRF-able) request, then Apollo's CSRF prevention still refuses it", async () => {
    const server = await start({ corsOrigins: ["http://localhost:5173"] });
    const response = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent("{ hello }")}`, { headers: { origin: "http://localhost:5173" } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].message).toMatch(/Cross-Site Request Forgery/);
  });

  it("when a batch of operations arrives, then each is answered, each held to the limits; over MAX_BATCH, 400 BATCH_LIMIT_EXCEEDED", async () => {
    const server = await start({ maxBatch: 3 });
    const tooDeep = `{ node { ${"child { ".repeat(10)}name${" }".repeat(10)} } }`;
    const batch = await post(server, [{ query: "{ hello }" }, { query: tooDeep }, { query: "{ node { name } }" }]);
    expect(batch.body).toEqual([
      { data: { hello: "world" } },
      { errors: [expect.objectContaining({ extensions: { code: "DEPTH_LIMIT_EXCEEDED" } })] },
      { data: { node: { name: "n" } } },
    ]);
    const tooMany = await post(server, Array.from({ length: 4 }, () => ({ query: "{ hello }" })));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([{ message: "A batch may hold at most 3 operations, found 4.", extensions: { code: "BATCH_LIMIT_EXCEEDED" } }]);
  });

  it("when MAX_BATCH is 1, then batching is off and any array is refused with a code", async () => {
    const server = await start({ maxBatch: 1 });
    const single = await post(server, [{ query: "{ hello }" }]);
    expect(single.status).toBe(400);
    expect(single.body.errors[0].extensions.code).toBe("BAD_REQUEST");
    expect((await post(server, [{ query: "{ hello }" }, { query: "{ hello }" }])).body.errors[0].extensions.code).toBe("BATCH_LIMIT_EXCEEDED");
  });

  it("when the request is not HTTP Node can parse, or its headers are too large, then the answer is still coded JSON", async () => {
    const server = await start();
    const garbage = await rawExchange(server, "HELLO\r\n\r\n");
    expect(garbage.answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(codeIn(garbage.answer)).toBe("BAD_REQUEST");
    const huge = await rawExchange(server, `GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(huge.answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(codeIn(huge.answer)).toBe("HEADERS_TOO_LARGE");
  });

  it("when a document nests deeper than the parser's stack, then 400 DEPTH_LIMIT_EXCEEDED before Apollo parses it", async () => {
    const server = await start();
    const answer = await post(server, { query: `{ node { ${"child { ".repeat(5_000)}name${" }".repeat(5_000)} } }` });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions.code).toBe("DEPTH_LIMIT_EXCEEDED");
    expect(JSON.stringify(answer.body)).not.toMatch(/call stack/i);
  });
});
