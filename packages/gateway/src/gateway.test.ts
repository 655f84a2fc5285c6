import { captureLogs } from "@monograph/platform/testing";
import { composeServices } from "@apollo/composition";
import { buildSubgraphFromFile, DomainError, issueUserToken, startSubgraphServer, type Caller, type RunningServer, type SubgraphModule } from "@monograph/platform";
import { writeFileSync, mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type SubgraphLocation } from "./gateway.ts";

process.env.APOLLO_TELEMETRY_DISABLED ??= "true";

// The gateway library must work with any supergraph, so these tests use two small subgraphs of their own.
const JWT_SECRET = "gateway-test-jwt-secret-123";
const INTERNAL_SECRET = "gateway-test-internal-secret-123";

const BOOKS_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Book @key(fields: "isbn") { isbn: ID! title: String! }
type Query { books: [Book!]! whoami: String! failing: String secret: String }
`;
const REVIEWS_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Book @key(fields: "isbn") { isbn: ID! reviews: [Review!] }
type Review { stars: Int! by: String! }
`;

function describeCaller(caller: Caller): string {
  return caller.kind === "user" ? `${caller.role}:${caller.userId}` : caller.kind;
}

function subgraphFrom(name: string, sdl: string, resolvers: Record<string, unknown>): SubgraphModule {
  const dir = mkdtempSync(path.join(tmpdir(), `gateway-test-${name}-`));
  const file = path.join(dir, "schema.graphql");
  writeFileSync(file, sdl);
  return {
    name,
    schema: buildSubgraphFromFile(pathToFileURL(file), resolvers as never),
    createContext: (caller) => ({ caller }),
  };
}

const books = subgraphFrom("books", BOOKS_SDL, {
  Query: {
    books: () => [{ isbn: "1", title: "Dune" }, { isbn: "2", title: "Emma" }],
    whoami: (_: unknown, __: unknown, ctx: { caller: Caller }) => describeCaller(ctx.caller),
    failing: () => {
      throw new Error('relation "books"."secret_table" does not exist at postgres://db.internal:5432');
    },
    secret: () => {
      throw new DomainError("FORBIDDEN", "Not for you.");
    },
  },
  Book: { __resolveReference: (ref: { isbn: string }) => ({ isbn: ref.isbn, title: ref.isbn === "1" ? "Dune" : "Emma" }) },
});
let reviewCalls = 0;
const reviews = subgraphFrom("reviews", REVIEWS_SDL, {
  Book: {
    __resolveReference: (ref: { isbn: string }) => ref,
    reviews: (book: { isbn: string }, _: unknown, ctx: { caller: Caller }) => {
      reviewCalls++;
      return [{ stars: Number(book.isbn) + 3, by: describeCaller(ctx.caller) }];
    },
  },
});

const composition = composeServices([
  { name: "books", typeDefs: parse(BOOKS_SDL), url: "http://127.0.0.1:1/graphql" },
  { name: "reviews", typeDefs: parse(REVIEWS_SDL), url: "http://127.0.0.1:1/graphql" },
]);
if (composition.errors) throw new Error(composition.errors.map((e) => e.message).join("\n"));
const supergraphSdl = composition.supergraphSdl;

async function post(server: RunningServer, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

const QUERY = `{ whoami books { title reviews { stars by } } }`;

describe.each(["in-process", "remote"] as const)("gateway with %s subgraphs", (shape) => {
  let gateway: RunningServer;
  const subgraphServers: RunningServer[] = [];
  let userToken: string;

  beforeAll(async () => {
    const locations: Record<string, SubgraphLocation> = {};
    for (const module of [books, reviews]) {
      if (shape === "in-process") {
        locations[module.name] = { kind: "in-process", schema: module.schema, createContext: (context) => module.createContext(context.caller) };
      } else {
        const server = await startSubgraphServer({ subgraph: module, internalSecret: INTERNAL_SECRET, port: 0 });
        subgraphServers.push(server);
        locations[module.name] = { kind: "remote", url: server.graphqlUrl };
      }
    }
    gateway = await startGateway({ supergraphSdl, subgraphs: locations, jwtSecret: JWT_SECRET, internalSecret: INTERNAL_SECRET, port: 0 });
    userToken = (await issueUserToken(JWT_SECRET, { id: "u-1", role: "CUSTOMER" }, 60)).token;
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(subgraphServers.map((server) => server.stop()));
  });

  it("when a query spans two subgraphs, then the gateway joins their answers", async () => {
    const { body } = await post(gateway, QUERY);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      whoami: "anonymous",
      books: [
        { title: "Dune", reviews: [{ stars: 4, by: "anonymous" }] },
        { title: "Emma", reviews: [{ stars: 5, by: "anonymous" }] },
      ],
    });
  });

  it("when the request carries a valid token, then every subgraph sees the same caller", async () => {
    const { body } = await post(gateway, QUERY, { authorization: `Bearer ${userToken}` });
    expect(body.data?.whoami).toBe("CUSTOMER:u-1");
    expect((body.data?.books as { reviews: { by: string }[] }[]).map((b) => b.reviews[0]?.by)).toEqual(["CUSTOMER:u-1", "CUSTOMER:u-1"]);
  });

  it("when the token is forged or expired, then the caller is anonymous", async () => {
    const forged = (await issueUserToken("another-secret-entirely", { id: "u-1", role: "ADMIN" }, 60)).token;
    expect((await post(gateway, `{ whoami }`, { authorization: `Bearer ${forged}` })).body.data).toEqual({ whoami: "anonymous" });
    const expired = (await issueUserToken(JWT_SECRET, { id: "u-1", role: "ADMIN" }, -10)).token;
    expect((await post(gateway, `{ whoami }`, { authorization: `Bearer ${expired}` })).body.data).toEqual({ whoami: "anonymous" });
  });

  it("when a resolver fails unexpectedly, then the client sees a masked INTERNAL_SERVER_ERROR without the internal detail", async () => {
    const { body } = await post(gateway, `{ failing }`);
    expect(body.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/secret_table|postgres:|db\.internal|stacktrace|at Object/);
  });

  it("when a subgraph refuses on purpose, then its code and message reach the client", async () => {
    const { body } = await post(gateway, `{ secret }`);
    expect(body.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([["FORBIDDEN", "Not for you."]]);
  });

  it("when the query is malformed, then the client gets a GraphQL validation code", async () => {
    const { body } = await post(gateway, `{ books { nope } }`);
    expect(body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("when asked for /health and /ready, then both answer", async () => {
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${gateway.url}/ready`)).json()).toMatchObject({ status: "ready" });
  });
});

describe("remote subgraphs and identity", () => {
  it("when a client calls a subgraph directly, unsigned or with a forged caller header, then it gets 401; the gateway's signed calls work", async () => {
    const server = await startSubgraphServer({ subgraph: books, internalSecret: INTERNAL_SECRET, port: 0 });
    try {
      const { signRequest, CALLER_HEADER } = await import("@monograph/platform");
      const body = JSON.stringify({ query: `{ whoami }` });
      const forged = await signRequest("not-the-internal-secret-at-all", { kind: "user", userId: "x", role: "ADMIN" }, { method: "POST", body });
      const userToken = (await issueUserToken(JWT_SECRET, { id: "u-1", role: "ADMIN" }, 60)).token;
      expect((await post(server, `{ whoami }`, { [CALLER_HEADER]: forged, authorization: `Bearer ${userToken}` })).status).toBe(401);
      expect((await post(server, `{ whoami }`, { authorization: `Bearer ${userToken}` })).status).toBe(401);
      const genuine = await signRequest(INTERNAL_SECRET, { kind: "user", userId: "x", role: "ADMIN" }, { method: "POST", body });
      expect((await post(server, `{ whoami }`, { [CALLER_HEADER]: genuine })).body.data).toEqual({ whoami: "ADMIN:x" });
    } finally {
      await server.stop();
    }
  });

  it("when someone captures a signature the gateway sent to a subgraph, then it is useless for any other query", async () => {
    const { CALLER_HEADER } = await import("@monograph/platform");
    const target = await startSubgraphServer({ subgraph: books, internalSecret: INTERNAL_SECRET, port: 0 });
    // A wiretap between the gateway and the subgraph: it records what the gateway sends, and passes it on.
    const captured: { header: string; body: string }[] = [];
    const tap = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        captured.push({ header: String(request.headers[CALLER_HEADER]), body });
        fetch(target.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", [CALLER_HEADER]: String(request.headers[CALLER_HEADER]) }, body })
          .then(async (answer) => {
            response.writeHead(answer.status, { "content-type": "application/json" });
            response.end(await answer.text());
          })
          .catch(() => response.destroy());
      });
    });
    await new Promise<void>((resolve) => tap.listen(0, "127.0.0.1", resolve));
    const gateway = await startGateway({
      supergraphSdl,
      subgraphs: {
        books: { kind: "remote", url: `http://127.0.0.1:${(tap.address() as AddressInfo).port}/graphql` },
        reviews: { kind: "in-process", schema: reviews.schema, createContext: (c) => reviews.createContext(c.caller) },
      },
      jwtSecret: JWT_SECRET,
      internalSecret: INTERNAL_SECRET,
      port: 0,
    });
    try {
      const adminToken = (await issueUserToken(JWT_SECRET, { id: "u-admin", role: "ADMIN" }, 60)).token;
      expect((await post(gateway, `{ whoami books { title } }`, { authorization: `Bearer ${adminToken}` })).body.data).toEqual({
        whoami: "ADMIN:u-admin",
        books: [{ title: "Dune" }, { title: "Emma" }],
      });
      expect(captured).toHaveLength(1);
      const [{ header, body }] = captured as [{ header: string; body: string }];
      const replay = (query: string) =>
        fetch(target.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", [CALLER_HEADER]: header }, body: JSON.stringify({ query }) });
      // The very bytes it was signed for still pass within its 30 s; nothing else does.
      expect((await fetch(target.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", [CALLER_HEADER]: header }, body })).status).toBe(200);
      for (const query of [`{ secret }`, `{ _service { sdl } }`, `{ whoami }`, JSON.parse(body).query + " "]) {
        const answer = await replay(query);
        expect(answer.status, query).toBe(401);
        expect(await answer.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: "UNAUTHENTICATED" } }] });
      }
    } finally {
      await gateway.stop();
      await new Promise((resolve) => tap.close(resolve));
      await target.stop();
    }
  });

  it("when the gateway and a subgraph process do not share the internal secret, then the client gets SERVICE_UNAVAILABLE and nothing internal", async () => {
    const server = await startSubgraphServer({ subgraph: books, internalSecret: "another-internal-secret-0123456789", port: 0 });
    const gateway = await startGateway({
      supergraphSdl,
      subgraphs: { books: { kind: "remote", url: server.graphqlUrl }, reviews: { kind: "in-process", schema: reviews.schema, createContext: (c) => reviews.createContext(c.caller) } },
      jwtSecret: JWT_SECRET,
      internalSecret: INTERNAL_SECRET,
      port: 0,
    });
    const logs = captureLogs();
    try {
      const { body } = await post(gateway, `{ whoami }`);
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["SERVICE_UNAVAILABLE"]);
      expect(JSON.stringify(body)).not.toMatch(/401|127\.0\.0\.1|UNAUTHENTICATED/);
    } finally {
      logs.restore();
      await gateway.stop();
      await server.stop();
    }
  });

  it("when a remote subgraph is down, then the client gets SERVICE_UNAVAILABLE naming the service, never its URL", async () => {
    const reviewsServer = await startSubgraphServer({ subgraph: reviews, internalSecret: INTERNAL_SECRET, port: 0 });
    const reviewsUrl = reviewsServer.graphqlUrl;
    await reviewsServer.stop();
    const gateway = await startGateway({
      supergraphSdl,
      subgraphs: { books: { kind: "in-process", schema: books.schema, createContext: (c) => books.createContext(c.caller) }, reviews: { kind: "remote", url: reviewsUrl } },
      jwtSecret: JWT_SECRET,
      internalSecret: INTERNAL_SECRET,
      port: 0,
    });
    try {
      const { body } = await post(gateway, QUERY);
      expect(body.errors?.map((e) => e.extensions?.code)).toContain("SERVICE_UNAVAILABLE");
      expect(body.errors?.find((e) => e.extensions?.code === "SERVICE_UNAVAILABLE")?.message).toMatch(/reviews service is unavailable/);
      const text = JSON.stringify(body);
      expect(text).not.toContain(new URL(reviewsUrl).port);
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|localhost/);
      // What the other subgraph could answer still arrives.
      expect((body.data?.books as { title: string }[]).map((b) => b.title)).toEqual(["Dune", "Emma"]);
    } finally {
      await gateway.stop();
    }
  });

  it("when several entities need the same subgraph, then the in-process gateway makes one context per request", async () => {
    const contexts: Caller[] = [];
    const gateway = await startGateway({
      supergraphSdl,
      subgraphs: {
        books: { kind: "in-process", schema: books.schema, createContext: (c) => books.createContext(c.caller) },
        reviews: { kind: "in-process", schema: reviews.schema, createContext: (c) => (contexts.push(c.caller), reviews.createContext(c.caller)) },
      },
      jwtSecret: JWT_SECRET,
      internalSecret: INTERNAL_SECRET,
      port: 0,
    });
    try {
      reviewCalls = 0;
      await post(gateway, QUERY);
      await post(gateway, QUERY);
      expect(contexts).toHaveLength(2);
      expect(reviewCalls).toBe(4);
    } finally {
      await gateway.stop();
    }
  });
});
