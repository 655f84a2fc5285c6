import { buildSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { collectUsage, parseOperations, validateOperations } from "./operations.ts";

const schema = buildSchema(`
  type Query { products(first: Int = 10, filter: Filter): [Product!]! node(id: ID!): Node }
  interface Node { id: ID! }
  type Product implements Node { id: ID! name: String! kind: Kind! }
  enum Kind { BOOK GAME }
  input Filter { kind: Kind nested: Nested }
  input Nested { text: String }
`);

const usageOf = (body: string) => {
  const { operations } = parseOperations([{ client: "web", file: "op.graphql", body }]);
  return collectUsage(schema, operations[0]!.document);
};

describe("collectUsage", () => {
  it("when an operation selects fields with arguments, then it uses the types, fields and arguments", () => {
    const used = usageOf("query { products(first: 5) { id name } }");
    expect([...used]).toEqual(expect.arrayContaining(["Query", "Query.products", "Query.products(first:)", "Product", "Product.id", "Product.name", "Int"]));
    expect(used.has("Query.products(filter:)")).toBe(false);
    expect(used.has("Product.kind")).toBe(false);
  });

  it("when an operation writes an input literal, then it uses exactly the input fields and enum values it writes", () => {
    const used = usageOf("query { products(filter: { kind: GAME }) { id } }");
    expect([...used]).toEqual(expect.arrayContaining(["Filter", "Filter.kind", "Kind.GAME"]));
    expect(used.has("Kind.BOOK")).toBe(false);
    expect(used.has("Filter.nested")).toBe(false);
  });

  it("when an operation sends an input type as a variable, then it uses every field and enum value reachable from it", () => {
    const used = usageOf("query Q($f: Filter) { products(filter: $f) { id } }");
    expect([...used]).toEqual(expect.arrayContaining(["Filter.kind", "Filter.nested", "Nested.text", "Kind.BOOK", "Kind.GAME"]));
  });

  it("when an operation uses fragments on an interface, then it uses the fragment's type condition and fields", () => {
    const used = usageOf("query { node(id: 1) { ...P } } fragment P on Node { id ... on Product { name } }");
    expect([...used]).toEqual(expect.arrayContaining(["Node", "Node.id", "Product", "Product.name"]));
  });
});

describe("parseOperations", () => {
  it("when a client's operation spreads a fragment from another of its files, then the fragment travels with the operation", () => {
    const loaded = parseOperations([
      { client: "web", file: "web/fields.graphql", body: "fragment Fields on Product { id name }" },
      { client: "web", file: "web/list.graphql", body: "query List { products { ...Fields } }" },
      { client: "ios", file: "ios/list.graphql", body: "query IosList { products { ...Fields } }" },
    ]);
    const results = validateOperations(schema, loaded.operations);
    expect(results.find((r) => r.operation === "List")).toMatchObject({ ok: true, client: "web" });
    // Fragments are per client: ios has none called Fields.
    expect(results.find((r) => r.operation === "IosList")).toMatchObject({ ok: false, client: "ios" });
    expect(results.find((r) => r.operation === "IosList")?.errors[0]).toMatch(/Unknown fragment "Fields".*ios\/list\.graphql:1:/);
  });

  it("when a client defines one fragment name twice, then it is a problem naming the file", () => {
    const loaded = parseOperations([
      { client: "web", file: "web/a.graphql", body: "fragment F on Product { id }" },
      { client: "web", file: "web/b.graphql", body: "fragment F on Product { name }" },
    ]);
    expect(loaded.problems).toEqual([{ client: "web", file: "web/b.graphql", message: "fragment F is defined twice in client web" }]);
  });
});
