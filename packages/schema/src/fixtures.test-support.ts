// Small fixture subgraphs for the tests: stable on purpose, so the corpus does not move when the real SDL does.
import type { Baseline } from "./check.ts";
import type { SubgraphSdl } from "./subgraphs.ts";

export const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])\n`;

export const CATALOG = `${LINK}
type Query {
  product(id: ID!): Product
  products(first: Int = 10, filter: ProductFilter): [Product!]!
  search(term: String!): [SearchResult!]!
  node(id: ID!): Node
}

type Mutation {
  createProduct(input: CreateProductInput!): Product!
}

interface Node {
  id: ID!
}

"Something we sell."
type Product implements Node @key(fields: "id") {
  id: ID!
  name: String!
  price: Int
  availability: Availability!
  legacyCode: String @deprecated(reason: "Use id.")
}

type Category implements Node {
  id: ID!
  title: String!
}

union SearchResult = Product | Category

enum Availability {
  IN_STOCK
  SOLD_OUT
}

input ProductFilter {
  availability: Availability
  nameContains: String
  inStockOnly: Boolean = false
}

input CreateProductInput {
  name: String!
  price: Int
}
`;

export const REVIEWS = `${LINK}
type Product @key(fields: "id") {
  id: ID!
  reviews: [Review!]!
}

type Review {
  id: ID!
  body: String!
  rating: Int
}
`;

export const fixtureSubgraphs = (sdl: Record<string, string>): SubgraphSdl[] =>
  Object.entries(sdl).map(([name, typeDefs], index) => ({ name, typeDefs, url: `http://localhost:${5001 + index}/graphql`, sdlFile: `apps/${name}-subgraph/src/schema.graphql` }));

export const gitBaseline = (sdl: Record<string, string>): Baseline => ({
  kind: "git",
  ref: "main",
  commit: "0".repeat(40),
  description: "fixture baseline",
  subgraphs: Object.entries(sdl).map(([name, typeDefs]) => ({ name, typeDefs })),
});

/** Replaces text that must be there, so a fixture edit that silently does nothing fails loudly. */
export function edit(sdl: string, from: string, to: string): string {
  if (!sdl.includes(from)) throw new Error(`fixture edit: ${JSON.stringify(from)} not found`);
  return sdl.replace(from, to);
}
