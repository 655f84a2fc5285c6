// Four small subgraphs written to exercise federation's semantics one by one (src/federation-semantics.test.ts):
// @requires (with and without arguments), @provides, @shareable, @override, an entity interface with an
// @interfaceObject, a union whose members live in other subgraphs, entity batching, nulls and coded errors inside
// entity fetches. Plain in-memory data; every subgraph counts the `_entities` calls it serves.
import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { Resolvers } from "@monograph/platform";
import { GraphQLError, parse, type GraphQLSchema } from "graphql";

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override", "@interfaceObject"])`;

export const FIXTURE_SDL = {
  accounts: `${LINK}
    type Query { me: User users: [User!]! user(id: ID!): User }
    type User @key(fields: "id") { id: ID! name: String! @shareable username: String! @shareable }
  `,
  products: `${LINK}
    type Query {
      topProducts(first: Int = 5): [Product!]!
      product(upc: String!): Product
      media: [Media!]!
      search(term: String!): [SearchResult!]!
      productPage(first: Int!): ProductPage!
    }
    type ProductPage { totalCount: Int! items: [Product!]! }
    type Product @key(fields: "upc") { upc: String! name: String! price: Int! weight: Int! inStock: Boolean! }
    interface Media @key(fields: "id") { id: ID! title: String! }
    type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! }
    type Movie implements Media @key(fields: "id") { id: ID! title: String! minutes: Int! }
    union SearchResult = Product | Book
  `,
  inventory: `${LINK}
    type Product @key(fields: "upc") {
      upc: String!
      price: Int! @external
      weight: Int! @external
      inStock: Boolean! @override(from: "products")
      shippingEstimate: Int! @requires(fields: "price weight")
      shippingFor(zone: String!): Int @requires(fields: "weight")
      warehouse: String
      stockCode: String!
    }
  `,
  reviews: `${LINK}
    type Query { latestReviews: [Review!]! mostReviewedMedia: Media }
    type Review @key(fields: "id") { id: ID! body: String! rating: Int! author: User @provides(fields: "username") product: Product }
    type User @key(fields: "id") { id: ID! username: String! @external name: String! @shareable reviews: [Review!]! }
    type Product @key(fields: "upc") { upc: String! reviews: [Review!]! topReview: Review }
    type Media @key(fields: "id") @interfaceObject { id: ID! reviewCount: Int! }
  `,
} as const;

export type FixtureName = keyof typeof FIXTURE_SDL;
export const FIXTURE_NAMES = Object.keys(FIXTURE_SDL) as FixtureName[];

const USERS = [
  { id: "u1", name: "Ada Lovelace", username: "ada" },
  { id: "u2", name: "Brian Kernighan", username: "bwk" },
  { id: "u3", name: "Cleo Baker", username: "cleo" },
];
const PRODUCTS = [
  { upc: "1", name: "Table", price: 899, weight: 100 },
  { upc: "2", name: "Couch", price: 1299, weight: 1000 },
  { upc: "3", name: "Chair", price: 54, weight: 50 },
  { upc: "4", name: "Lamp", price: 30, weight: 5 },
  { upc: "5", name: "Rug", price: 200, weight: 20 },
];
const MEDIA = [
  { __typename: "Book", id: "b1", title: "Dune", author: "Frank Herbert" },
  { __typename: "Book", id: "b2", title: "Emma", author: "Jane Austen" },
  { __typename: "Movie", id: "m1", title: "Alien", minutes: 117 },
];
const REVIEWS = [
  { id: "r1", body: "Love it", rating: 5, authorId: "u1", upc: "1" },
  { id: "r2", body: "Too heavy to move", rating: 2, authorId: "u2", upc: "1" },
  { id: "r3", body: "Comfy", rating: 4, authorId: "u1", upc: "2" },
  { id: "r4", body: "Wobbles", rating: 1, authorId: "u3", upc: "3" },
  // A product that no longer exists: products resolves its reference to null.
  { id: "r5", body: "Whatever this was, it was good", rating: 5, authorId: "u2", upc: "404" },
  { id: "r6", body: "Soft", rating: 4, authorId: "u3", upc: "5" },
];
const REVIEW_COUNTS: Record<string, number> = { b1: 3, b2: 0, m1: 7 };

const userById = (id: string) => USERS.find((user) => user.id === id) ?? null;
const productByUpc = (upc: string) => PRODUCTS.find((product) => product.upc === upc) ?? null;
const reviewView = (review: (typeof REVIEWS)[number]) => ({
  ...review,
  // @provides(fields: "username"): reviews knows its authors' usernames (and names, @shareable) itself.
  author: { id: review.authorId, username: userById(review.authorId)?.username },
  product: { upc: review.upc },
});
const notFound = (message: string) => new GraphQLError(message, { extensions: { code: "NOT_FOUND" } });

const RESOLVERS: Record<FixtureName, Resolvers<unknown>> = {
  accounts: {
    Query: { me: () => USERS[0], users: () => USERS, user: (_: unknown, { id }: { id: string }) => userById(id) },
    User: { __resolveReference: (ref: { id: string }) => userById(ref.id) },
  },
  products: {
    Query: {
      topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first),
      product: (_: unknown, { upc }: { upc: string }) => productByUpc(upc),
      media: () => MEDIA,
      // totalCount is a method, called by graphql-js's default resolver (our domains return such lazy fields).
      productPage: (_: unknown, { first }: { first: number }) => ({ totalCount: () => PRODUCTS.length, items: PRODUCTS.slice(0, first) }),
      search: (_: unknown, { term }: { term: string }) => {
        const needle = term.toLowerCase();
        return [
          ...PRODUCTS.filter((product) => product.name.toLowerCase().includes(needle)).map((product) => ({ __typename: "Product", ...product })),
          ...MEDIA.filter((media) => media.__typename === "Book" && media.title.toLowerCase().includes(needle)),
        ];
      },
    },
    // Overridden by inventory (@override): if this answer ever shows, the planner asked the wrong subgraph.
    Product: { __resolveReference: (ref: { upc: string }) => productByUpc(ref.upc), inStock: () => true },
    Media: {
      __resolveReference: (ref: { id: string }) => MEDIA.find((media) => media.id === ref.id) ?? null,
      __resolveType: (media: { __typename: string }) => media.__typename,
    },
    Book: { __resolveReference: (ref: { id: string }) => MEDIA.find((media) => media.id === ref.id && media.__typename === "Book") ?? null },
    Movie: { __resolveReference: (ref: { id: string }) => MEDIA.find((media) => media.id === ref.id && media.__typename === "Movie") ?? null },
    SearchResult: { __resolveType: (result: { __typename: string }) => result.__typename },
  },
  inventory: {
    Product: {
      __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ref,
      inStock: (product: { upc: string }) => product.upc !== "2",
      shippingEstimate: (product: { price: number; weight: number }) => (product.price > 1000 ? 0 : Math.round(product.weight / 2)),
      shippingFor: (product: { weight: number }, { zone }: { zone: string }) => (zone === "EU" ? product.weight * 2 : zone === "US" ? product.weight : null),
      warehouse: (product: { upc: string }) => {
        if (product.upc === "3") throw notFound(`No warehouse record for product ${product.upc}.`);
        return product.upc === "4" ? null : `WH-${product.upc}`;
      },
      stockCode: (product: { upc: string }) => {
        if (product.upc === "3") throw notFound(`No stock code for product ${product.upc}.`);
        return `SC-${product.upc}`;
      },
    },
  },
  reviews: {
    Query: { latestReviews: () => REVIEWS.map(reviewView), mostReviewedMedia: () => ({ id: "m1" }) },
    Review: { __resolveReference: (ref: { id: string }) => REVIEWS.map(reviewView).find((review) => review.id === ref.id) ?? null },
    User: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      name: (user: { id: string }) => userById(user.id)?.name,
      reviews: (user: { id: string }) => REVIEWS.filter((review) => review.authorId === user.id).map(reviewView),
    },
    Product: {
      __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc }),
      reviews: (product: { upc: string }) => REVIEWS.filter((review) => review.upc === product.upc).map(reviewView),
      topReview: (product: { upc: string }) => {
        const best = REVIEWS.filter((review) => review.upc === product.upc).sort((a, b) => b.rating - a.rating)[0];
        return best ? reviewView(best) : null;
      },
    },
    Media: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }), reviewCount: (media: { id: string }) => REVIEW_COUNTS[media.id] ?? 0 },
  },
};

/** What each subgraph's `_entities` field served: the calls, and the representations they carried. */
export interface EntityCount {
  calls: number;
  representations: number;
}

export interface FixtureSubgraphs {
  /** The schemas for the subgraph servers (Apollo Server instruments every field of a schema it serves). */
  schemas: Record<FixtureName, GraphQLSchema>;
  /**
   * Another set of the same schemas, counted alike: for in-process data sources, which must see the schemas as
   * buildSubgraphSchema made them, not as an Apollo Server in the same process instrumented them (it gives every
   * field a resolver, which would hide how a data source treats fields without one).
   */
  freshSchemas(): Record<FixtureName, GraphQLSchema>;
  supergraphSdl: string;
  /** `_entities` calls per subgraph since the last reset (every gateway, every shape: the counts are in the schemas). */
  entityCounts(): Record<FixtureName, EntityCount>;
  resetCounts(): void;
}

/** Builds the four subgraph schemas (each counting its `_entities` calls) and composes their supergraph. */
export function fixtureSubgraphs(): FixtureSubgraphs {
  const counts = Object.fromEntries(FIXTURE_NAMES.map((name) => [name, { calls: 0, representations: 0 }])) as Record<FixtureName, EntityCount>;
  const build = (): Record<FixtureName, GraphQLSchema> => {
    const schemas = {} as Record<FixtureName, GraphQLSchema>;
    for (const name of FIXTURE_NAMES) {
      const schema = buildSubgraphSchema([{ typeDefs: parse(FIXTURE_SDL[name]), resolvers: RESOLVERS[name] }]);
      const entities = schema.getQueryType()?.getFields()._entities;
      if (entities?.resolve) {
        const resolve = entities.resolve;
        entities.resolve = (source, args: { representations?: unknown[] }, context, info) => {
          counts[name].calls += 1;
          counts[name].representations += args.representations?.length ?? 0;
          return resolve(source, args, context, info);
        };
      }
      schemas[name] = schema;
    }
    return schemas;
  };
  const composed = composeServices(FIXTURE_NAMES.map((name) => ({ name, typeDefs: parse(FIXTURE_SDL[name]), url: `http://127.0.0.1:9/${name}` })));
  if (composed.errors) throw new Error(`The fixture subgraphs do not compose: ${composed.errors.map((error) => error.message).join("; ")}`);
  return {
    schemas: build(),
    freshSchemas: build,
    supergraphSdl: composed.supergraphSdl,
    entityCounts: () => structuredClone(counts),
    resetCounts: () => {
      for (const name of FIXTURE_NAMES) counts[name] = { calls: 0, representations: 0 };
    },
  };
}
