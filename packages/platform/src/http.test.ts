import type { IncomingMessage } from "node:http";
import { ApolloServer } from "@apollo/server";
import { captureLogs } from "@monograph/telemetry/testing";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { sendJson, startHttpServer, type HttpServerOptions, type RunningServer } from "./http.ts";

interface Context {
  greeting: string;
}

function tinyApollo(): ApolloServer<Context> {
  return new ApolloServer<Context>({
    typeDefs: "type Query { hello: String }",
    resolvers: { Query: { hello: (_parent: unknown, _args: unknown, context: Context) => context.greeting } },
  });
}

const running: RunningServer[] = [];

async function start(options: Partial<HttpServerOptions<Context>> = {}): Promise<RunningServer> {
  const server = await startHttpServer<Context>({
    apollo: tinyApollo(),
    port: 0,
    context: async (request: IncomingMessage) => ({ greeting: `hello ${request.headers["x-name"] ?? "world"}` }),
    ...options,
  });
  running.push(server);
  return server;
}

async function postGraphQL(server: RunningServer, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, body: (await response.json()) as any };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
  vi.restoreAllMocks();
});

describe("startHttpServer", () => {
  it("when started on port 0, then it listens on a free port and names its URLs", async () => {
    const server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect(server.graphqlUrl).toBe(`${server.url}/graphql`);
  });

  it("when a GraphQL query is posted, then Apollo answers it with the context built from the request", async () => {
    const server = await start();
    expect(await postGraphQL(server, JSON.stringify({ query: "{ hello }" }))).toEqual({ status: 200, body: { data: { hello: "hello world" } } });
    expect(await postGraphQL(server, JSON.stringify({ query: "{ hello }" }), { "x-name": "Ada" })).toEqual({ status: 200, body: { data: { hello: "hello Ada" } } });
  });

  it("when an authorize hook is given, then it sees the exact body bytes first, and its refusal is the answer (Apollo never sees the request)", async () => {
    const seen: string[] = [];
    const context = vi.fn(async () => ({ greeting: "hello" }));
    const server = await start({
      context,
      authorize: async (request, rawBody) => {
        seen.push(`${request.method} ${rawBody.toString("utf8")}`);
        return request.headers["x-pass"] === "yes" ? undefined : { status: 401, code: "UNAUTHENTICATED", message: "Not you." };
      },
    });
    const body = JSON.stringify({ query: "{ hello }" });
    expect(await postGraphQL(server, `{ hello `)).toEqual({ status: 401, body: { errors: [{ message: "Not you.", extensions: { code: "UNAUTHENTICATED" } }] } });
    expect(context).not.toHaveBeenCalled();
    expect(await postGraphQL(server, body, { "x-pass": "yes" })).toEqual({ status: 200, body: { data: { hello: "hello" } } });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(seen).toEqual([`POST { hello `, `POST ${body}`]);
  });

  it("when GET /health is asked, then it answers 200 ok", async () => {
    const server = await start();
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("when GET /ready is asked and there are no checks, then it is ready", async () => {
    const server = await start();
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", checks: {} });
  });

  it("when GET /ready is asked and every check passes, then it answers 200 naming each check", async () => {
    const database = vi.fn(async () => {});
    const server = await start({ readiness: { database, nats: async () => {} } });
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", checks: { database: "ok", nats: "ok" } });
    expect(database).toHaveBeenCalledTimes(1);
  });

  it("when a readiness check fails, then /ready answers 503 naming the failing check without its error message", async () => {
    const server = await start({
      readiness: {
        database: async () => {
          throw new Error("connect ECONNREFUSED postgres://admin:hunter2@db.internal:5432/monograph");
        },
        nats: async () => {},
      },
    });
    const response = await fetch(`${server.url}/ready`);
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(JSON.parse(text)).toEqual({ status: "unavailable", checks: { database: "unavailable", nats: "ok" } });
    expect(text).not.toMatch(/hunter2|db\.internal|ECONNREFUSED|postgres/);
  });

  it("when a readiness check hangs, then /ready gives up after its timeout and answers 503", async () => {
    const server = await start({ readiness: { database: () => new Promise<void>(() => {}) } });
    const started = Date.now();
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "unavailable", checks: { database: "unavailable" } });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("when the body is larger than 1 MiB, then the request is refused with 413 PAYLOAD_TOO_LARGE and the server keeps serving", async () => {
    const server = await start();
    const oversized = JSON.stringify({ query: "{ hello }", variables: { padding: "x".repeat(1024 * 1024 + 1) } });
    expect(await postGraphQL(server, oversized)).toEqual({
      status: 413,
      body: { errors: [{ message: "Request body is larger than 1048576 bytes.", extensions: { code: "PAYLOAD_TOO_LARGE" } }] },
    });
    const muchTooLarge = JSON.stringify({ query: "{ hello }", variables: { padding: "x".repeat(8 * 1024 * 1024) } });
    expect((await postGraphQL(server, muchTooLarge)).status).toBe(413);
    expect(await postGraphQL(server, JSON.stringify({ query: "{ hello }" }))).toEqual({ status: 200, body: { data: { hello: "hello world" } } });
  });

  it("when the body is just under the limit, then it is accepted", async () => {
    const server = await start();
    const query = JSON.stringify({ query: "{ hello }", variables: {} });
    const padded = query.replace("{}", `{"padding":"${"x".repeat(1024 * 1024 - query.length - 20)}"}`);
    expect(Buffer.byteLength(padded)).toBeLessThanOrEqual(1024 * 1024);
    expect((await postGraphQL(server, padded)).status).toBe(200);
  });

  it("when the body is not valid JSON, then it answers 400 BAD_REQUEST", async () => {
    const server = await start();
    expect(await postGraphQL(server, "{ not json")).toEqual({
      status: 400,
      body: { errors: [{ message: "Request body is not valid JSON.", extensions: { code: "BAD_REQUEST" } }] },
    });
  });

  it("when an unknown path is asked, then it answers 404", async () => {
    const server = await start();
    const response = await fetch(`${server.url}/admin`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "Not found" });
  });

  it("when extra routes are given, then they answer first and fall through to GraphQL when they return false", async () => {
    const server = await start({
      extraRoutes: (request, response) => {
        if (request.url !== "/explorer") return false;
        sendJson(response, 200, { explorer: true });
        return true;
      },
    });
    expect(await (await fetch(`${server.url}/explorer`)).json()).toEqual({ explorer: true });
    expect((await postGraphQL(server, JSON.stringify({ query: "{ hello }" }))).status).toBe(200);
  });

  it("when the context cannot be built, then the client gets a 500 INTERNAL_SERVER_ERROR", async () => {
    const logs = captureLogs();
    onTestFinished(() => logs.restore());
    const server = await start({
      context: async () => {
        throw new Error("cannot reach redis://cache.internal:6379");
      },
    });
    const { status, body } = await postGraphQL(server, JSON.stringify({ query: "{ hello }" }));
    expect(status).toBe(500);
    expect(body.data).toBeUndefined();
    // Apollo keeps the reason in the message; hiding it is formatError's job (maskError; see subgraph.test.ts).
    expect(body.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
  });
});

describe("RunningServer.stop", () => {
  it("when stop() is called twice, concurrently or later, then the server stops once and onStop runs once", async () => {
    const onStop = vi.fn(async () => {});
    const server = await start({ onStop });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);

    const first = server.stop();
    const second = server.stop();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await server.stop();

    expect(onStop).toHaveBeenCalledTimes(1);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it("when a keep-alive connection is open, then stop() still finishes promptly", async () => {
    const server = await start();
    // fetch (undici) keeps the connection open in its pool after the response.
    const response = await fetch(`${server.url}/health`);
    await response.json();
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
