// Federation's semantics, as a client sees them: each operation gets the same answer (data and errors) from our
// gateway with every subgraph in-process (graphql-jit, the default, and graphql-js through inProcessDataSource), from our
// gateway with every subgraph behind its own HTTP server, and from the stock @apollo/gateway (in-process with
// LocalGraphQLDataSource, and over HTTP with RemoteGraphQLDataSource) over the same subgraphs; and the subgraphs
// see the same `_entities` calls from each.
import { ApolloGateway, LocalGraphQLDataSource, RemoteGraphQLDataSource, type GraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startSubgraphServer, type RunningServer } from "@monograph/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureSubgraphs, FIXTURE_NAMES, type EntityCount, type FixtureName } from "../test/support/federation-fixtures.ts";
import { startGateway } from "./gateway.ts";
import { inProcessDataSource } from "./in-process-data-source.ts";
import { signingFetcher } from "./remote-data-source.ts";

const JWT_SECRET = "federation-semantics-jwt-secret-0123456789";
const INTERNAL_SECRET = "federation-semantics-internal-secret-0123";

interface Answer {
  data?: unknown;
  errors?: unknown[];
}
type Ask = (query: string, variables?: Record<string, unknown>) => Promise<Answer>;

const fixtures = fixtureSubgraphs();
const servers: RunningServer[] = [];
const stock: ApolloServer[] = [];
const gateways: Record<string, Ask> = {};

const overHttp =
  (server: RunningServer): Ask =>
  async (query, variables) => {
    const response = await fetch(server.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as Answer;
  };

async function stockGateway(buildService: (name: FixtureName) => GraphQLDataSource): Promise<Ask> {
  // No stock gateway of the tests reaches Apollo's telemetry or cloud metadata hosts (STACK-NOTES.md).
  process.env.APOLLO_TELEMETRY_DISABLED = "true";
  const apollo = new ApolloServer({
    gateway: new ApolloGateway({ supergraphSdl: fixtures.supergraphSdl, buildService: ({ name }) => buildService(name as FixtureName) }),
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  stock.push(apollo);
  return async (query, variables) => {
    const response = await apollo.executeOperation({ query, variables });
    if (response.body.kind !== "single") throw new Error("expected a single result");
    // The same JSON a client would read off the wire.
    return JSON.parse(JSON.stringify(response.body.singleResult)) as Answer;
  };
}

beforeAll(async () => {
  const base = { supergraphSdl: fixtures.supergraphSdl, jwtSecret: JWT_SECRET, internalSecret: INTERNAL_SECRET, port: 0, host: "127.0.0.1", metrics: false };
  // Each in-process gateway gets schemas of its own, untouched by the Apollo Servers of this process.
  const inProcessSubgraphs = () => {
    const schemas = fixtures.freshSchemas();
    return Object.fromEntries(FIXTURE_NAMES.map((name) => [name, { kind: "in-process" as const, schema: schemas[name] }]));
  };
  const inProcess = await startGateway({ ...base, subgraphs: inProcessSubgraphs(), inProcessDataSource });
  servers.push(inProcess);
  // The default: graphql-jit.
  const jit = await startGateway({ ...base, subgraphs: inProcessSubgraphs() });
  servers.push(jit);
  // The same, with @apollo/gateway's own executor of query plans instead of ours (plan-executor.ts).
  const stockExecutor = await startGateway({ ...base, subgraphs: inProcessSubgraphs(), executor: "apollo" });
  servers.push(stockExecutor);
  // Real subgraph processes' servers (sealed: they answer requests signed with the gateway's internal secret only).
  const urls = {} as Record<FixtureName, string>;
  for (const name of FIXTURE_NAMES) {
    const server = await startSubgraphServer({
      subgraph: { name, schema: fixtures.schemas[name], createContext: (caller) => ({ caller }) },
      internalSecret: INTERNAL_SECRET,
      port: 0,
      host: "127.0.0.1",
      metrics: false,
    });
    servers.push(server);
    urls[name] = server.graphqlUrl;
  }
  const remote = await startGateway({ ...base, subgraphs: Object.fromEntries(FIXTURE_NAMES.map((name) => [name, { kind: "remote", url: urls[name] }])) });
  servers.push(remote);
  gateways["ours, in-process, graphql-js"] = overHttp(inProcess);
  gateways["ours, in-process, graphql-jit"] = overHttp(jit);
  gateways["ours, in-process, graphql-jit, @apollo/gateway's executor"] = overHttp(stockExecutor);
  gateways["ours, over HTTP"] = overHttp(remote);
  const localSchemas = fixtures.freshSchemas();
  gateways["stock, LocalGraphQLDataSource"] = await stockGateway((name) => new LocalGraphQLDataSource(localSchemas[name]));
  // Stock RemoteGraphQLDataSource; its fetches are signed (as an anonymous caller) only because the subgraphs are sealed.
  gateways["stock, RemoteGraphQLDataSource"] = await stockGateway(
    (name) => new RemoteGraphQLDataSource({ url: urls[name], fetcher: signingFetcher(INTERNAL_SECRET, fetch as unknown as RemoteGraphQLDataSource["fetcher"]) }),
  );
});

afterAll(async () => {
  await Promise.all(stock.map((apollo) => apollo.stop()));
  await Promise.all(servers.reverse().map((server) => server.stop()));
});

/**
 * Asks every gateway, one after the other, and checks that each answered exactly as the stock in-process gateway
 * did and made the subgraphs serve the same `_entities` calls; returns that answer and those calls.
 */
async function sameEverywhere(query: string, variables?: Record<string, unknown>): Promise<{ answer: Answer; entities: Record<FixtureName, EntityCount> }> {
  const answers: Record<string, Answer> = {};
  const entities: Record<string, Record<FixtureName, EntityCount>> = {};
  for (const [name, ask] of Object.entries(gateways)) {
    fixtures.resetCounts();
    answers[name] = await ask(query, variables);
    entities[name] = fixtures.entityCounts();
  }
  const reference = "stock, LocalGraphQLDataSource";
  for (const name of Object.keys(gateways)) {
    expect({ gateway: name, answer: answers[name] }).toEqual({ gateway: name, answer: answers[reference] });
    expect({ gateway: name, entities: entities[name] }).toEqual({ gateway: name, entities: entities[reference] });
  }
  return { answer: answers[reference]!, entities: entities[reference]! };
}

const messages = (answer: Answer) => (answer.errors ?? []).map((error) => (error as { message: string }).message);

describe("federation semantics: our gateway (in-process and over HTTP) answers as the stock gateway does", () => {
  it("@requires: a field computed from fields another subgraph owns", async () => {
    const { answer } = await sameEverywhere(`{ topProducts { upc name price weight shippingEstimate } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toMatchObject({ topProducts: [{ upc: "1", shippingEstimate: 50 }, { upc: "2", shippingEstimate: 0 }, {}, {}, {}] });
  });

  it("@requires on a field with arguments, given as literals, variables and aliases", async () => {
    const { answer } = await sameEverywhere(
      `query Shipping($zone: String!, $first: Int) { topProducts(first: $first) { upc eu: shippingFor(zone: "EU") mine: shippingFor(zone: $zone) nowhere: shippingFor(zone: "MARS") } }`,
      { zone: "US", first: 2 },
    );
    expect(answer).toEqual({ data: { topProducts: [{ upc: "1", eu: 200, mine: 100, nowhere: null }, { upc: "2", eu: 2000, mine: 1000, nowhere: null }] } });
  });

  it("@provides: the username comes with the review, and accounts is not asked", async () => {
    const { answer, entities } = await sameEverywhere(`{ latestReviews { id author { id username } } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toMatchObject({ latestReviews: [{ id: "r1", author: { id: "u1", username: "ada" } }, {}, {}, {}, {}, {}] });
    expect(entities.accounts.calls).toBe(0);
  });

  it("@shareable: a field two subgraphs resolve, from either entry point", async () => {
    const { answer } = await sameEverywhere(`{ me { id name username reviews { id author { name } } } latestReviews { id author { name } } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toMatchObject({ me: { name: "Ada Lovelace", reviews: [{ id: "r1", author: { name: "Ada Lovelace" } }, { id: "r3" }] } });
  });

  it("@override: the field is resolved by the subgraph it moved to", async () => {
    const { answer } = await sameEverywhere(`{ product(upc: "2") { upc inStock } topProducts(first: 3) { upc inStock } }`);
    expect(answer).toEqual({
      data: { product: { upc: "2", inStock: false }, topProducts: [{ upc: "1", inStock: true }, { upc: "2", inStock: false }, { upc: "3", inStock: true }] },
    });
  });

  it("an entity interface with an @interfaceObject in another subgraph, both ways", async () => {
    const { answer } = await sameEverywhere(`{
      media { __typename id title reviewCount ... on Book { author } ... on Movie { minutes } }
      mostReviewedMedia { __typename id title reviewCount ... on Movie { minutes } }
    }`);
    expect(answer).toEqual({
      data: {
        media: [
          { __typename: "Book", id: "b1", title: "Dune", reviewCount: 3, author: "Frank Herbert" },
          { __typename: "Book", id: "b2", title: "Emma", reviewCount: 0, author: "Jane Austen" },
          { __typename: "Movie", id: "m1", title: "Alien", reviewCount: 7, minutes: 117 },
        ],
        mostReviewedMedia: { __typename: "Movie", id: "m1", title: "Alien", reviewCount: 7, minutes: 117 },
      },
    });
  });

  it("a union whose members get fields from other subgraphs, with named and inline fragments", async () => {
    const { answer } = await sameEverywhere(
      `query Search($term: String!) { search(term: $term) { __typename ...ProductCard ... on Book { id title reviewCount } } }
       fragment ProductCard on Product { upc name inStock shippingEstimate topReview { rating author { username } } }`,
      { term: "m" },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      search: [
        { __typename: "Product", upc: "4", name: "Lamp", inStock: true, shippingEstimate: 3, topReview: null },
        { __typename: "Book", id: "b2", title: "Emma", reviewCount: 0 },
      ],
    });
    const { answer: products } = await sameEverywhere(`query Search($term: String!) { search(term: $term) { __typename ... on Product { upc inStock topReview { rating } } ... on Book { title } } }`, {
      term: "a",
    });
    expect(products.data).toEqual({
      search: [
        { __typename: "Product", upc: "1", inStock: true, topReview: { rating: 5 } },
        { __typename: "Product", upc: "3", inStock: true, topReview: { rating: 1 } },
        { __typename: "Product", upc: "4", inStock: true, topReview: null },
        { __typename: "Book", title: "Emma" },
      ],
    });
  });

  it("entity batching: one _entities call per subgraph and plan step, whatever the list's length", async () => {
    const { answer, entities } = await sameEverywhere(`{ topProducts { upc reviews { id author { username name } } } }`);
    expect(answer.errors).toBeUndefined();
    expect(entities.reviews).toEqual({ calls: 1, representations: 5 });
    const { entities: shared } = await sameEverywhere(`{ latestReviews { id product { upc name inStock shippingEstimate } } }`);
    // Six reviews, five distinct products (one review's twice): one fetch to products.
    expect(shared.products.calls).toBe(1);
  });

  it("nulls and coded errors inside entity fetches, with the errors' paths", async () => {
    const { answer } = await sameEverywhere(`{ topProducts { upc warehouse } }`);
    expect(answer.data).toEqual({
      topProducts: [
        { upc: "1", warehouse: "WH-1" },
        { upc: "2", warehouse: "WH-2" },
        { upc: "3", warehouse: null },
        { upc: "4", warehouse: null },
        { upc: "5", warehouse: "WH-5" },
      ],
    });
    expect(messages(answer)).toEqual(["No warehouse record for product 3."]);
    expect(answer.errors).toMatchObject([{ path: ["topProducts", 2, "warehouse"], extensions: { code: "NOT_FOUND" } }]);
  });

  it("a non-null field failing inside an entity fetch nulls its nearest nullable parent; a missing entity is null", async () => {
    const { answer } = await sameEverywhere(`{ latestReviews { id product { upc name stockCode } } }`);
    expect(messages(answer)).toContain("No stock code for product 3.");
    const reviews = (answer.data as { latestReviews: { id: string; product: unknown }[] }).latestReviews;
    expect(reviews.find((review) => review.id === "r4")?.product).toBeNull();
    expect(reviews.find((review) => review.id === "r5")?.product).toBeNull();
    expect(reviews.find((review) => review.id === "r1")?.product).toEqual({ upc: "1", name: "Table", stockCode: "SC-1" });
  });

  for (const variables of [
    { withReviews: true, skipPrice: false },
    { withReviews: false, skipPrice: true },
  ]) {
    it(`aliases, fragments, @skip and @include across subgraphs (${JSON.stringify(variables)})`, async () => {
      const { answer } = await sameEverywhere(
        `query Pair($withReviews: Boolean!, $skipPrice: Boolean!) {
          first: product(upc: "1") { ...Card }
          second: product(upc: "3") { ...Card cost: price @include(if: $withReviews) }
          nothing: product(upc: "404") { upc }
        }
        fragment Card on Product {
          upc title: name price @skip(if: $skipPrice) shippingEstimate
          reviews @include(if: $withReviews) { id stars: rating author { ... on User { username } } }
          ... @skip(if: $withReviews) { inStock }
        }`,
        variables,
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toMatchObject({ first: { upc: "1", title: "Table", shippingEstimate: 50 }, second: { upc: "3" }, nothing: null });
      const first = (answer.data as { first: Record<string, unknown> }).first;
      expect("price" in first).toBe(!variables.skipPrice);
      expect("reviews" in first).toBe(variables.withReviews);
      expect("inStock" in first).toBe(!variables.withReviews);
    });
  }

  it("a field given as a function of its parent object is called, as graphql-js's default resolver does", async () => {
    const { answer } = await sameEverywhere(`{ productPage(first: 2) { totalCount items { upc inStock } } }`);
    expect(answer).toEqual({ data: { productPage: { totalCount: 5, items: [{ upc: "1", inStock: true }, { upc: "2", inStock: false }] } } });
  });

  it("a variable left out takes its default", async () => {
    const { answer } = await sameEverywhere(`query Top($first: Int = 2) { topProducts(first: $first) { upc } }`);
    expect(answer).toEqual({ data: { topProducts: [{ upc: "1" }, { upc: "2" }] } });
  });
});
