import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningServer } from "./http.ts";
import { ANONYMOUS, CALLER_HEADER, signRequest } from "./identity.ts";
import { DEFAULT_OPERATION_LIMITS } from "./limits.ts";
import { startSubgraphServer, type SubgraphModule } from "./subgraph.ts";

// A subgraph process holds every request to the limits it is given, as the gateway does: someone may reach its
// port without the gateway. Requests are signed as the gateway signs them.
const INTERNAL_SECRET = "subgraph-limits-test-internal-secret";

const module: SubgraphModule = {
  name: "shelves",
  schema: buildSubgraphSchema({
    typeDefs: parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Shelf @key(fields: "id") { id: ID! books(first: Int = 10): [Book!]! }
      type Book { title: String! shelf: Shelf! }
      type Query { shelves(first: Int = 10): [Shelf!]! }
    `),
    resolvers: {
      Query: { shelves: (_root: unknown, { first }: { first: number }) => Array.from({ length: first }, (_, i) => ({ id: String(i) })) },
      Shelf: { __resolveReference: (ref: { id: string }) => ref, books: (shelf: { id: string }) => [{ title: "Dune", shelf }] },
      Book: { shelf: (book: { shelf: unknown }) => book.shelf },
    },
  }),
  createContext: (caller) => ({ caller }),
};

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function start(options: Partial<Parameters<typeof startSubgraphServer>[0]> = {}): Promise<RunningServer> {
  const server = await startSubgraphServer({ subgraph: module, internalSecret: INTERNAL_SECRET, port: 0, ...options });
  running.push(server);
  return server;
}

async function post(server: RunningServer, body: unknown) {
  const json = JSON.stringify(body);
  const response = await fetch(server.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", [CALLER_HEADER]: await signRequest(INTERNAL_SECRET, ANONYMOUS, { method: "POST", body: json }) },
    body: json,
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe("startSubgraphServer's limits", () => {
  it("when it is given limits, then it refuses by them; without, the defaults apply", async () => {
    const deep = "{ shelves { books { shelf { books { shelf { books { shelf { books { title } } } } } } } } }";
    const strict = await start({ limits: { ...DEFAULT_OPERATION_LIMITS, maxDepth: 3 } });
    expect((await post(strict, { query: "{ shelves { books { title } } }" })).status).toBe(200);
    const refused = await post(strict, { query: "{ shelves { books { shelf { id } } } }" });
    expect({ status: refused.status, code: refused.body.errors[0].extensions.code }).toEqual({ status: 400, code: "DEPTH_LIMIT_EXCEEDED" });
    const defaults = await start();
    expect((await post(defaults, { query: deep })).body.errors[0].extensions.code).toBe("DEPTH_LIMIT_EXCEEDED");
  });

  it("when _entities brings a batch of representations, then the batch counts once and the selection by its lists", async () => {
    const server = await start({ limits: { ...DEFAULT_OPERATION_LIMITS, maxCost: 30 } });
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Shelf { books(first: 2) { title } } } }';
    // _entities 1 + (books 1 + 2 x title 1) = 4, however many representations.
    const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: "Shelf", id: String(i) }));
    expect((await post(server, { query, variables: { r: representations } })).status).toBe(200);
    const wide = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Shelf { books(first: 40) { title } } } }';
    expect((await post(server, { query: wide, variables: { r: representations } })).body.errors[0].extensions.code).toBe("COST_LIMIT_EXCEEDED");
  });

  it("when field suggestions are off (production), then a misspelt field is not answered with the real names", async () => {
    const quiet = await start({ fieldSuggestions: false });
    expect((await post(quiet, { query: "{ shelfs { id } }" })).body.errors[0].message).toBe('Cannot query field "shelfs" on type "Query".');
    const chatty = await start();
    expect((await post(chatty, { query: "{ shelfs { id } }" })).body.errors[0].message).toMatch(/Did you mean "shelves"\?/);
  });
});
