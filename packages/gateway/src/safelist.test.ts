import { ApolloServer, HeaderMap } from "@apollo/server";
import { buildPersistedManifest, parseOperations, persistedOperationId } from "@monograph/schema";
import { describe, expect, it } from "vitest";
import { NOT_IN_SAFELIST, safelistServerOptions } from "./safelist.ts";

// The plugin on a small Apollo Server (no gateway): what it lets through and what it refuses, per operation. The
// monolith over HTTP is tested in test/e2e/safelist.e2e.test.ts.
const typeDefs = `type Query { hello(name: String): String!, secret: String! }`;
const resolvers = { Query: { hello: (_: unknown, { name }: { name?: string }) => `hello ${name ?? "you"}`, secret: () => "s3cret" } };
const manifest = buildPersistedManifest(parseOperations([{ client: "web", file: "operations/web/hello.graphql", body: "query Hello($name: String) { hello(name: $name) }" }]).operations);
const hello = manifest.operations[0]!;

/** Every document Apollo Server itself parsed, in order. */
const parsed: string[] = [];

async function server() {
  const { plugins, persistedQueries } = safelistServerOptions(manifest);
  const recordParsing = { requestDidStart: async () => ({ parsingDidStart: async ({ source }: { source?: string }) => void parsed.push(source ?? "") }) };
  const apollo = new ApolloServer({ typeDefs, resolvers, allowBatchedHttpRequests: true, persistedQueries, plugins: [...plugins, recordParsing] });
  await apollo.start();
  return apollo;
}

async function post(apollo: ApolloServer, body: unknown) {
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: "POST", headers: new HeaderMap([["content-type", "application/json"]]), search: "", body },
    context: async () => ({}),
  });
  return { status: result.status ?? 200, body: JSON.parse(result.body.kind === "complete" ? result.body.string : "null") };
}

describe("the safelist plugin", () => {
  it("when a batch mixes a recorded operation, an unrecorded one and a known hash, then each operation is answered on its own", async () => {
    const apollo = await server();
    const { body } = await post(apollo, [
      { query: "query Hello($name: String) { hello(name: $name) }", variables: { name: "batch" } },
      { query: "{ secret }" },
      { extensions: { persistedQuery: { version: 1, sha256Hash: hello.id } } },
      { extensions: { persistedQuery: { version: 1, sha256Hash: persistedOperationId("{ secret }") } } },
    ]);
    expect(body).toEqual([
      { data: { hello: "hello batch" } },
      { errors: [expect.objectContaining({ extensions: { code: NOT_IN_SAFELIST } })] },
      { data: { hello: "hello you" } },
      { errors: [expect.objectContaining({ extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } })] },
    ]);
    await apollo.stop();
  });

  it("when an unrecorded document is huge or nested 5,000 deep, then it is refused before Apollo Server parses or validates it", async () => {
    const apollo = await server();
    const deep = `{ ${"a { ".repeat(5_000)}b${" }".repeat(5_000)} }`;
    const wide = `{ ${Array.from({ length: 20_000 }, (_, i) => `a${i}: secret`).join(" ")} }`;
    parsed.length = 0;
    for (const query of [deep, wide]) {
      const { status, body } = await post(apollo, { query });
      expect(status).toBe(400);
      expect(body.errors.map((e: { extensions: unknown }) => e.extensions)).toEqual([{ code: NOT_IN_SAFELIST }]);
    }
    // What reached Apollo Server's parser (and so validation and planning) was the placeholder, never the documents.
    expect(parsed.length).toBeGreaterThan(0);
    expect(parsed.every((source) => source.length < 100)).toBe(true);
    expect((await post(apollo, { query: "{ __typename }" })).body).toEqual({ data: { __typename: "Query" } });
    await apollo.stop();
  });
});
