import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { captureLogs } from "@monograph/telemetry/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { forbidden } from "./errors.ts";
import type { RunningServer } from "./http.ts";
import { ANONYMOUS, CALLER_HEADER, issueUserToken, signRequest, type Caller } from "./identity.ts";
import { buildSubgraphFromFile, startSubgraphServer, traceResolvers, type BaseSubgraphContext, type SubgraphModule } from "./subgraph.ts";
import { errorCodes, executeOnSubgraph } from "./testing.ts";

const INTERNAL_SECRET = "subgraph-test-internal-secret-0123";
const JWT_SECRET = "subgraph-test-jwt-secret-0123456789";
const ADMIN: Caller = { kind: "user", userId: "u-admin", role: "ADMIN" };
const CUSTOMER: Caller = { kind: "user", userId: "u-1", role: "CUSTOMER" };

const SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Book @key(fields: "isbn") { isbn: ID! title: String! }
type Query { whoami: String! secret: String failing: String book(isbn: ID!): Book }
`;

const describeCaller = (caller: Caller) => (caller.kind === "user" ? `${caller.role}:${caller.userId}` : caller.kind === "service" ? `service:${caller.service}` : "anonymous");
const TITLES: Record<string, string> = { "1": "Dune", "2": "Emma" };

const dir = mkdtempSync(path.join(tmpdir(), "platform-subgraph-test-"));
const sdlFile = path.join(dir, "schema.graphql");
writeFileSync(sdlFile, SDL);

const createContext = vi.fn((caller: Caller): BaseSubgraphContext => ({ caller }));
const books: SubgraphModule = {
  name: "books",
  schema: buildSubgraphFromFile<BaseSubgraphContext>(pathToFileURL(sdlFile), {
    Query: {
      whoami: (_root, _args, context) => describeCaller(context.caller),
      secret: (_root, _args, context) => {
        if (context.caller.kind !== "user" || context.caller.role !== "ADMIN") throw forbidden("Not for you.");
        return "the launch codes";
      },
      failing: () => {
        throw new Error('relation "secret_table" does not exist at postgres://admin:hunter2@db.internal:5432');
      },
      book: (_root, { isbn }: { isbn: string }) => (TITLES[isbn] ? { isbn, title: TITLES[isbn] } : null),
    },
    Book: { __resolveReference: (ref: { isbn: string }) => (TITLES[ref.isbn] ? { isbn: ref.isbn, title: TITLES[ref.isbn] } : null) },
  }),
  createContext,
};

interface PostOptions {
  /** Who the gateway says is calling; null sends no caller header at all. Default: an anonymous client. */
  as?: Caller | null;
  secret?: string;
  headers?: Record<string, string>;
  variables?: Record<string, unknown>;
  /** Sends this header instead of signing one. */
  callerHeader?: string;
}

/** A POST to the subgraph, signed the way the gateway signs it (for this very body) unless told otherwise. */
async function post(server: RunningServer, query: string, options: PostOptions = {}) {
  const body = JSON.stringify({ query, variables: options.variables });
  const caller = options.as === undefined ? ANONYMOUS : options.as;
  const signature = options.callerHeader ?? (caller ? await signRequest(options.secret ?? INTERNAL_SECRET, caller, { method: "POST", body }) : undefined);
  const response = await fetch(server.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { [CALLER_HEADER]: signature } : {}), ...options.headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] } };
}
const REFUSED = { status: 401, body: { errors: [{ message: expect.any(String), extensions: { code: "UNAUTHENTICATED" } }] } };

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("startSubgraphServer", () => {
  let server: RunningServer;
  const onStop = vi.fn(async () => {});
  beforeAll(async () => {
    server = await startSubgraphServer({ subgraph: books, internalSecret: INTERNAL_SECRET, port: 0, readiness: { database: async () => {} }, onStop });
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    createContext.mockClear();
  });

  it("when the gateway signs a request for an anonymous client, then the caller is anonymous", async () => {
    expect((await post(server, "{ whoami }")).body).toEqual({ data: { whoami: "anonymous" } });
  });

  it.each([
    ["no caller header", "{ whoami }"],
    ["no caller header and a document that would not even parse", "{ whoami"],
    ["no caller header, asking for entities", `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Book { title } } }`],
    ["no caller header, asking for the SDL", "{ _service { sdl } }"],
  ])("when a request comes with %s, then it is 401 UNAUTHENTICATED and no context is built", async (_label, query) => {
    expect(await post(server, query, { as: null, variables: { r: [{ __typename: "Book", isbn: "1" }] } })).toEqual(REFUSED);
    expect(createContext).not.toHaveBeenCalled();
  });

  it("when a header the gateway signed for one query is replayed with another, then it is 401", async () => {
    const body = JSON.stringify({ query: "{ whoami }" });
    const captured = await signRequest(INTERNAL_SECRET, ADMIN, { method: "POST", body });
    expect((await post(server, "{ whoami }", { callerHeader: captured })).body).toEqual({ data: { whoami: "ADMIN:u-admin" } });
    expect(await post(server, "{ secret }", { callerHeader: captured })).toEqual(REFUSED);
    expect(await post(server, "{ whoami }", { callerHeader: captured, variables: { extra: 1 } })).toEqual(REFUSED);
  });

  it("when a genuine header has expired, then it is 401", async () => {
    const body = JSON.stringify({ query: "{ whoami }" });
    const expired = await signRequest(INTERNAL_SECRET, ADMIN, { method: "POST", body }, { now: new Date(Date.now() - 120_000) });
    expect(await post(server, "{ whoami }", { callerHeader: expired })).toEqual(REFUSED);
  });

  it("when /health is asked without any signature, then it still answers", async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it.each([
    ["a customer", CUSTOMER, "CUSTOMER:u-1"],
    ["an admin", ADMIN, "ADMIN:u-admin"],
    ["a service", { kind: "service", service: "orders" } as Caller, "service:orders"],
  ])("when the caller header is signed with the internal secret for %s, then resolvers see that caller", async (_label, caller, expected) => {
    expect((await post(server, "{ whoami }", { as: caller })).body).toEqual({ data: { whoami: expected } });
  });

  it("when each request arrives, then a fresh context is built for its own caller", async () => {
    await post(server, "{ whoami }", { as: CUSTOMER });
    await post(server, "{ whoami }");
    expect(createContext.mock.calls).toEqual([[CUSTOMER], [ANONYMOUS]]);
  });

  it("when a user's bearer token comes beside the gateway's signature, then the Authorization header is ignored; alone, it is 401", async () => {
    for (const secret of [JWT_SECRET, INTERNAL_SECRET]) {
      const { token } = await issueUserToken(secret, { id: "u-admin", role: "ADMIN" }, 3600);
      const { body } = await post(server, "{ whoami secret }", { headers: { authorization: `Bearer ${token}` } });
      expect(body.data).toEqual({ whoami: "anonymous", secret: null });
      expect(errorCodes(body)).toEqual(["FORBIDDEN"]);
      expect(await post(server, "{ whoami secret }", { as: null, headers: { authorization: `Bearer ${token}` } })).toEqual(REFUSED);
    }
  });

  it("when a client forges the caller header with another secret, then it is 401 even with a valid bearer token beside it", async () => {
    const { token } = await issueUserToken(JWT_SECRET, { id: "u-admin", role: "ADMIN" }, 3600);
    expect(await post(server, "{ whoami secret }", { as: ADMIN, secret: "not-the-internal-secret-at-all", headers: { authorization: `Bearer ${token}` } })).toEqual(REFUSED);
  });

  it("when the caller header is garbage, then it is 401", async () => {
    expect(await post(server, "{ whoami }", { callerHeader: "garbage" })).toEqual(REFUSED);
  });

  it("when the genuine admin asks for the secret, then it is given", async () => {
    expect((await post(server, "{ secret }", { as: ADMIN })).body).toEqual({ data: { secret: "the launch codes" } });
  });

  it("when a resolver refuses on purpose, then its code and message reach the client", async () => {
    const { status, body } = await post(server, "{ secret }");
    expect(status).toBe(200);
    expect(body.errors?.map((error) => [error.extensions?.code, error.message, error.path])).toEqual([["FORBIDDEN", "Not for you.", ["secret"]]]);
  });

  it("when a resolver fails unexpectedly, then the client sees a masked INTERNAL_SERVER_ERROR and the detail goes to the log", async () => {
    const logs = captureLogs();
    onTestFinished(() => logs.restore());
    const { body } = await post(server, "{ whoami failing }", { headers: { "x-request-id": "req-failing-1" } });
    expect(body.data).toEqual({ whoami: "anonymous", failing: null });
    expect(body.errors).toEqual([{ message: "Internal server error", path: ["failing"], locations: [{ line: 1, column: 10 }], extensions: { code: "INTERNAL_SERVER_ERROR" } }]);
    expect(JSON.stringify(body)).not.toMatch(/secret_table|hunter2|db\.internal|stacktrace/);
    // Apollo calls formatError without the GraphQL context: the line still names the request (no tracing here).
    expect(logs.matching("internal error")).toEqual([
      expect.objectContaining({ component: "books", requestId: "req-failing-1", err: expect.objectContaining({ message: expect.stringContaining("secret_table") }) }),
    ]);
  });

  it("when the query is invalid, then the client gets GRAPHQL_VALIDATION_FAILED with graphql's message", async () => {
    const { status, body } = await post(server, "{ nope }");
    expect(status).toBe(400);
    expect(errorCodes(body)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(body.errors?.[0]?.message).toContain("nope");
  });

  it("when the gateway asks for the subgraph's SDL and entities, then federation answers", async () => {
    const sdl = await post(server, "{ _service { sdl } }", { as: { kind: "service", service: "gateway" } });
    expect(sdl.body.data._service.sdl).toMatch(/type Book\s+@key\(fields: "isbn"\)/);
    const entities = await post(server, `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Book { title } } }`, { variables: { r: [{ __typename: "Book", isbn: "2" }, { __typename: "Book", isbn: "9" }] } });
    expect(entities.body).toEqual({ data: { _entities: [{ title: "Emma" }, null] } });
  });

  it("when a browser opens /graphql, then no landing page is served, only a 401", async () => {
    const response = await fetch(server.graphqlUrl, { headers: { accept: "text/html" } });
    expect(response.status).toBe(401);
    expect(await response.text()).not.toMatch(/<html/i);
  });

  it("when /ready is asked, then the given readiness checks answer", async () => {
    expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({ status: "ready", checks: { database: "ok" } });
  });

  it("when the server is stopped, then onStop runs once", async () => {
    const own = vi.fn(async () => {});
    const other = await startSubgraphServer({ subgraph: books, internalSecret: INTERNAL_SECRET, port: 0, onStop: own });
    await other.stop();
    await other.stop();
    expect(own).toHaveBeenCalledTimes(1);
    expect(onStop).not.toHaveBeenCalled();
  });
});

describe("executeOnSubgraph (in-process, as the gateway would)", () => {
  it("when no caller is given, then the operation runs as anonymous; with one, as that caller", async () => {
    expect(await executeOnSubgraph(books, "{ whoami }")).toEqual({ data: { whoami: "anonymous" } });
    expect(await executeOnSubgraph(books, "{ whoami }", { caller: ADMIN })).toEqual({ data: { whoami: "ADMIN:u-admin" } });
  });

  it("when variables are given and errors occur, then errorCodes lists the codes in order", async () => {
    const result = await executeOnSubgraph<{ book: { title: string } | null }>(books, "query ($isbn: ID!) { book(isbn: $isbn) { title } secret }", { variables: { isbn: "1" } });
    expect(result.data).toEqual({ book: { title: "Dune" }, secret: null });
    expect(errorCodes(result)).toEqual(["FORBIDDEN"]);
    expect(errorCodes({})).toEqual([]);
  });
});

describe("resolver spans", () => {
  it("when tracing is off, then the domain's resolvers are left exactly as written (no wrapper to pay for)", () => {
    const order = () => Promise.resolve({ id: "o-1" });
    const reference = () => ({ id: "o-1" });
    const traced = traceResolvers({ Query: { order }, Order: { __resolveReference: reference } });
    expect((traced.Query as Record<string, unknown>).order).toBe(order);
    expect((traced.Order as Record<string, unknown>).__resolveReference).toBe(reference);
  });
});
