// The public graphql-gateways-benchmark workload (github.com/graphql-hive/graphql-gateways-benchmark, "federation"),
// restated from its published description: four subgraphs (accounts, products, inventory, reviews) with in-memory
// data, and one heavy query that nests users, reviews, products and authors. Its answer is about 87 KB and the
// query plan makes 16 subgraph fetches. The review bodies are generated here (same lengths, our own text); nothing
// is downloaded. The same data is also served by ONE plain schema (no federation): the ceiling.
import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { Resolvers } from "@monograph/platform";
import { makeExecutableSchemaFromSdl } from "./plain-schema.ts";
import { parse, type GraphQLSchema } from "graphql";

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])`;

export const SUBGRAPH_SDL = {
  accounts: `${LINK}
    type Query { me: User user(id: ID!): User users: [User] }
    type User @key(fields: "id") { id: ID! name: String username: String @shareable birthday: Int }
  `,
  products: `${LINK}
    type Query { topProducts(first: Int = 5): [Product] }
    type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }
  `,
  inventory: `${LINK}
    type Product @key(fields: "upc") {
      upc: String!
      weight: Int @external
      price: Int @external
      inStock: Boolean
      shippingEstimate: Int @requires(fields: "price weight")
    }
  `,
  reviews: `${LINK}
    type Review @key(fields: "id") { id: ID! body: String product: Product author: User @provides(fields: "username") }
    type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
    type Product @key(fields: "upc") { upc: String! reviews: [Review] }
  `,
} as const;

export type SubgraphName = keyof typeof SUBGRAPH_SDL;
export const SUBGRAPH_NAMES = Object.keys(SUBGRAPH_SDL) as SubgraphName[];

/** The benchmark's query, as its published scenario sends it. */
export const QUERY = `
fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews {
          ...Review
          author { ...User reviews { ...Review product { ...Product } } }
        }
      }
    }
  }
  topProducts {
    ...Product
    reviews {
      ...Review
      author { ...User reviews { ...Review product { ...Product } } }
    }
  }
}`;

const USERS = [
  ["1", "Uri Goldshtein", "urigo"],
  ["2", "Dotan Simha", "dotansimha"],
  ["3", "Kamil Kisiela", "kamilkisiela"],
  ["4", "Arda Tanrikulu", "ardatan"],
  ["5", "Gil Gardosh", "gilgardosh"],
  ["6", "Laurin Quast", "laurin"],
].map(([id, name, username]) => ({ id: id!, name: name!, username: username!, birthday: 1234567890 }));

const PRODUCTS = [
  ["1", "Table", 899, 100, true],
  ["2", "Couch", 1299, 1000, false],
  ["3", "Glass", 15, 20, false],
  ["4", "Chair", 499, 100, false],
  ["5", "TV", 1299, 1000, true],
  ["6", "Lamp", 6999, 300, true],
  ["7", "Grill", 3999, 2000, true],
  ["8", "Fridge", 100000, 6000, false],
  ["9", "Sofa", 9999, 800, true],
].map(([upc, name, price, weight, inStock]) => ({ upc: upc as string, name: name as string, price: price as number, weight: weight as number, inStock: inStock as boolean }));

/** Deterministic filler text of a given length (the published data uses lorem ipsum of these lengths). */
function text(length: number, seed: number): string {
  const words = ["gateway", "subgraph", "entity", "plan", "fetch", "query", "review", "product", "merge", "shape", "field", "batch"];
  let out = "";
  for (let i = seed; out.length < length; i += 7) out += (out ? " " : "") + words[i % words.length];
  return out.slice(0, length);
}

// Review id, product upc, body length: eleven reviews of products 1 to 4.
const REVIEWS = (
  [
    ["1", "1", 445],
    ["2", "1", 290],
    ["3", "1", 282],
    ["4", "1", 142],
    ["5", "2", 445],
    ["6", "2", 290],
    ["7", "2", 282],
    ["8", "2", 142],
    ["9", "3", 142],
    ["10", "4", 142],
    ["11", "4", 1004],
  ] as const
).map(([id, upc, length], index) => ({ id, upc, body: text(length, index) }));

// As in the published reviews subgraph: every review's author is user 1, and every user's reviews are the first two.
const AUTHOR = USERS[0]!;
const reviewsOfUser = () => REVIEWS.slice(0, 2);
const reviewsOfProduct = (upc: string) => REVIEWS.filter((review) => review.upc === upc);
const shippingEstimate = (product: { price?: number | null; weight?: number | null }) =>
  product.price == null ? null : product.price > 1000 ? 0 : product.weight == null ? null : Math.trunc(product.weight / 2);

const RESOLVERS: Record<SubgraphName, Resolvers<unknown>> = {
  accounts: {
    Query: { me: () => USERS[0], user: (_: unknown, { id }: { id: string }) => USERS.find((user) => user.id === id) ?? null, users: () => USERS },
    User: { __resolveReference: (ref: { id: string }) => USERS.find((user) => user.id === ref.id) },
  },
  products: {
    Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
    Product: { __resolveReference: (ref: { upc: string }) => PRODUCTS.find((product) => product.upc === ref.upc) },
  },
  inventory: {
    Product: {
      __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ({ ...ref, inStock: PRODUCTS.find((product) => product.upc === ref.upc)?.inStock }),
      shippingEstimate,
    },
  },
  reviews: {
    Review: {
      __resolveReference: (ref: { id: string }) => REVIEWS.find((review) => review.id === ref.id),
      product: (review: { upc: string }) => ({ upc: review.upc }),
      author: () => ({ id: AUTHOR.id, username: AUTHOR.username }),
    },
    User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }), reviews: reviewsOfUser },
    Product: { __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc }), reviews: (product: { upc: string }) => reviewsOfProduct(product.upc) },
  },
};

export function subgraphSchemas(): Record<SubgraphName, GraphQLSchema> {
  return Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, buildSubgraphSchema([{ typeDefs: parse(SUBGRAPH_SDL[name]), resolvers: RESOLVERS[name] }])])) as Record<
    SubgraphName,
    GraphQLSchema
  >;
}

export function supergraphSdl(): string {
  const composed = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, typeDefs: parse(SUBGRAPH_SDL[name]), url: `http://127.0.0.1:9/${name}` })));
  if (composed.errors) throw new Error(`The workload's subgraphs do not compose: ${composed.errors.map((error) => error.message).join("; ")}`);
  return composed.supergraphSdl;
}

/** The same data as ONE plain graphql-js schema, no federation: what any gateway could at best approach. */
export function plainSchema(): GraphQLSchema {
  const userOf = (id: string) => USERS.find((user) => user.id === id)!;
  const productOf = (upc: string) => PRODUCTS.find((product) => product.upc === upc)!;
  return makeExecutableSchemaFromSdl(
    `type Query { me: User user(id: ID!): User users: [User] topProducts(first: Int = 5): [Product] }
     type User { id: ID! name: String username: String birthday: Int reviews: [Review] }
     type Product { upc: String! name: String price: Int weight: Int inStock: Boolean shippingEstimate: Int reviews: [Review] }
     type Review { id: ID! body: String product: Product author: User }`,
    {
      Query: {
        me: () => USERS[0],
        user: (_: unknown, { id }: { id: string }) => USERS.find((user) => user.id === id) ?? null,
        users: () => USERS,
        topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first),
      },
      User: { reviews: reviewsOfUser },
      Product: { shippingEstimate, reviews: (product: { upc: string }) => reviewsOfProduct(product.upc) },
      Review: { product: (review: { upc: string }) => productOf(review.upc), author: () => userOf(AUTHOR.id) },
    },
  );
}
