import { buildSchema, GraphQLError, Kind, parse, specifiedRules, validate, type GraphQLFormattedError, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { pageSize } from "./graphql.ts";
import {
  checkCost,
  LARGEST_PAGE,
  containsNul,
  DEFAULT_OPERATION_LIMITS,
  formatEdgeError,
  MAX_NESTING,
  operationLimitRules,
  RefusedRequest,
  screenDocument,
  type OperationLimits,
} from "./limits.ts";

// A schema shaped like ours: connections with page sizes, plain lists, and a subgraph's _entities.
const schema = buildSchema(`
  type Query {
    products(first: Int = 20, after: String): ProductConnection!
    product(sku: ID!): Product
    me: User
    tags: [String!]!
    _entities(representations: [String!]!): [Product]!
  }
  type ProductConnection { edges: [ProductEdge!]! totalCount: Int! }
  type ProductEdge { cursor: String! node: Product! }
  type Product { sku: ID! name: String! related: [Product!]! }
  type User { id: ID! orders(first: Int = 20): OrderConnection! }
  type OrderConnection { edges: [OrderEdge!]! }
  type OrderEdge { node: Order! }
  type Order { id: ID! items: [Item!]! }
  type Item { quantity: Int! product: Product! }
`);

const limits = (overrides: Partial<OperationLimits> = {}): OperationLimits => ({ ...DEFAULT_OPERATION_LIMITS, ...overrides });

/** The codes the limit rules report for a document (empty when it passes). */
function refusedCodes(query: string, overrides: Partial<OperationLimits> = {}): string[] {
  return validate(schema, parse(query), operationLimitRules(limits(overrides)))
    .map((error) => error.originalError ?? error)
    .filter((error): error is RefusedRequest => error instanceof RefusedRequest)
    .map((error) => error.code);
}

/** checkCost for the document's first operation. */
function costOf(query: string, variables: Record<string, unknown>, allowed: OperationLimits): number {
  const document = parse(query);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  return checkCost(schema, document, operation, variables, allowed);
}

function cost(query: string, variables: Record<string, unknown> = {}, overrides: Partial<OperationLimits> = {}): number {
  return costOf(query, variables, limits({ maxCost: Number.MAX_SAFE_INTEGER, ...overrides }));
}

const nested = (levels: number) => "{ me { orders { edges { node { items { product { " + "related { ".repeat(levels) + "sku" + " }".repeat(levels + 7);

describe("screenDocument", () => {
  it("when a document has more tokens than the limit, then it is refused with TOKEN_LIMIT_EXCEEDED", () => {
    const query = `{ ${"__typename ".repeat(20)}}`;
    expect(screenDocument(query, { maxTokens: 22 })).toBeUndefined();
    expect(screenDocument(query, { maxTokens: 21 })).toMatchObject({ code: "TOKEN_LIMIT_EXCEEDED", message: "Token limit of 21 exceeded." });
  });

  it("when brackets nest deeper than the parser's stack allows, then it is refused with DEPTH_LIMIT_EXCEEDED, whatever the bracket", () => {
    for (const [open, close] of [["a{", "}"], ["[", "]"], ["{a:", "}"]] as const) {
      const query = `{ f(x: ${open.repeat(MAX_NESTING + 1)}${close.repeat(MAX_NESTING + 1)}) }`;
      expect(screenDocument(query, { maxTokens: 10_000 })?.code).toBe("DEPTH_LIMIT_EXCEEDED");
    }
    expect(screenDocument(`{${"a{".repeat(MAX_NESTING - 1)}b${"}".repeat(MAX_NESTING)}`, { maxTokens: 10_000 })).toBeUndefined();
  });

  it("when 20,000 levels of nesting arrive, then the answer is a refusal, not a stack overflow", () => {
    expect(screenDocument("{" + "a{".repeat(20_000) + "b" + "}".repeat(20_001), { maxTokens: 100_000 })?.code).toBe("DEPTH_LIMIT_EXCEEDED");
  });

  it("when the lexer cannot read a document, then the screen lets the parser give its syntax error", () => {
    expect(screenDocument('{ a(x: "unterminated) }', DEFAULT_OPERATION_LIMITS)).toBeUndefined();
  });

  it("when graphql-js's own parser stops at the token limit, then its message is the one formatEdgeError recognises", () => {
    let caught: unknown;
    try {
      parse(`{ ${"a ".repeat(50)}}`, { maxTokens: 10 });
    } catch (error) {
      caught = error;
    }
    const formatted = formatEdgeError({ message: (caught as Error).message, extensions: { code: "GRAPHQL_PARSE_FAILED" } }, caught);
    expect(formatted).toEqual({ message: "Token limit of 10 exceeded.", extensions: { code: "TOKEN_LIMIT_EXCEEDED" } });
  });
});

describe("operationLimitRules", () => {
  it("when a selection is deeper than maxDepth, then DEPTH_LIMIT_EXCEEDED; fragments add no level", () => {
    // me > orders > edges > node > items > product > sku: 7 levels.
    const seven = "{ me { orders { edges { node { items { product { sku } } } } } } }";
    expect(refusedCodes(seven, { maxDepth: 7 })).toEqual([]);
    expect(refusedCodes(seven, { maxDepth: 6 })).toEqual(["DEPTH_LIMIT_EXCEEDED"]);
    const withFragments = "{ me { ...U } } fragment U on User { orders { edges { node { ... on Order { items { product { sku } } } } } } }";
    expect(refusedCodes(withFragments, { maxDepth: 7 })).toEqual([]);
    expect(refusedCodes(nested(2), { maxDepth: 8 })).toEqual(["DEPTH_LIMIT_EXCEEDED"]);
  });

  it("when a document has more aliases than maxAliases, then ALIAS_LIMIT_EXCEEDED; aliases of __typename are free", () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `p${i}: product(sku: "A") { sku }`).join(" ")} }`;
    expect(refusedCodes(aliases(3), { maxAliases: 3 })).toEqual([]);
    expect(refusedCodes(aliases(4), { maxAliases: 3 })).toEqual(["ALIAS_LIMIT_EXCEEDED"]);
    expect(refusedCodes(`{ ${Array.from({ length: 10 }, (_, i) => `t${i}: __typename`).join(" ")} }`, { maxAliases: 3 })).toEqual([]);
  });

  it("when a document has more directives than maxDirectives, then DIRECTIVE_LIMIT_EXCEEDED, counting those in fragments", () => {
    const query = "{ me @include(if: true) { id @skip(if: false) ...U } } fragment U on User { id @include(if: true) }";
    expect(refusedCodes(query, { maxDirectives: 3 })).toEqual([]);
    expect(refusedCodes(query, { maxDirectives: 2 })).toEqual(["DIRECTIVE_LIMIT_EXCEEDED"]);
  });

  it("when an operation has more root fields than maxRootFields, then ROOT_FIELD_LIMIT_EXCEEDED, counting fragments once and __typename never", () => {
    const query = '{ __typename me { id } a: product(sku: "A") { sku } ...R ...R ... on Query { tags } } fragment R on Query { b: product(sku: "B") { sku } }';
    expect(refusedCodes(query, { maxRootFields: 4 })).toEqual([]);
    expect(refusedCodes(query, { maxRootFields: 3 })).toEqual(["ROOT_FIELD_LIMIT_EXCEEDED"]);
  });

  it("when fragments spread each other in a cycle, then the rules still end (graphql-js reports the cycle)", () => {
    const errors = validate(schema, parse("{ ...A } fragment A on Query { ...B } fragment B on Query { me { id } ...A }"), [
      ...specifiedRules,
      ...operationLimitRules(limits()),
    ]);
    expect(errors.map((error) => error.message).join("\n")).toMatch(/Cannot spread fragment "A" within itself/);
  });
});

describe("checkCost", () => {
  it("when a connection is asked for, then its selection is multiplied by the page size, given, from variables or the schema default", () => {
    const query = "query($n: Int) { products(first: $n) { edges { node { sku name } } } }";
    // products 1 + n x (edges 1 + (node 1 + 2)): the edges list is the page products already counted.
    expect(cost(query, { n: 5 })).toBe(1 + 5 * 4);
    expect(cost("{ products(first: 100) { edges { node { sku name } } } }")).toBe(1 + 100 * 4);
    expect(cost("{ products { edges { node { sku name } } } }")).toBe(1 + 20 * 4);
  });

  it("when a page size is over the largest page, then it counts as the largest, and the connection's own rule refuses it", () => {
    expect(cost("{ products(first: 1000) { edges { node { sku name } } } }")).toBe(1 + LARGEST_PAGE * 4);
    expect(() => pageSize(LARGEST_PAGE)).not.toThrow();
    expect(() => pageSize(LARGEST_PAGE + 1)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) }));
  });

  it("when a list has no page-size argument, then it counts as defaultListSize items", () => {
    expect(cost('{ product(sku: "A") { related { sku } } }', {}, { defaultListSize: 10 })).toBe(1 + 1 * (1 + 10 * 1));
    expect(cost("{ tags }")).toBe(1);
  });

  it("when lists nest, then their sizes multiply", () => {
    const query = "{ me { orders(first: 10) { edges { node { items { product { sku } } } } } } }";
    // me 1 + (orders 1 + 10 x (edges 1 + (node 1 + (items 1 + 10 x (product 1 + 1)))))
    expect(cost(query, {}, { defaultListSize: 10 })).toBe(1 + (1 + 10 * (1 + (1 + (1 + 10 * 2)))));
  });

  it("when the cost is over maxCost, then it is refused with COST_LIMIT_EXCEEDED and both numbers", () => {
    const query = "{ products(first: 100) { edges { node { sku name } } } }";
    expect(() => costOf(query, {}, limits({ maxCost: 401 }))).not.toThrow();
    expect(() => costOf(query, {}, limits({ maxCost: 400 }))).toThrow(
      expect.objectContaining({ code: "COST_LIMIT_EXCEEDED", message: "Cost limit of 400 exceeded, found 401." }),
    );
  });

  it("when a subgraph receives _entities, then the batch counts once: the gateway costed the operation it came from", () => {
    expect(cost('{ _entities(representations: ["a"]) { sku related { sku } } }', {}, { defaultListSize: 10 })).toBe(1 + (1 + (1 + 10)));
  });

  it("when fragments spread fragments twice over, then the cost is what the expansion would be, found without expanding it", () => {
    let fragments = "";
    for (let i = 0; i < 40; i++) fragments += `fragment F${i} on Query { me { id } ...F${i + 1} ...F${i + 1} } `;
    const query = `{ ...F0 } ${fragments} fragment F40 on Query { __typename }`;
    // F40 costs 1; each level costs me (2) plus twice the next: 2^40 + 2 * (2^40 - 1).
    const started = performance.now();
    expect(cost(query)).toBe(2 ** 40 + 2 * (2 ** 40 - 1));
    expect(performance.now() - started).toBeLessThan(50);
    expect(() => costOf(query, {}, limits())).toThrow(expect.objectContaining({ code: "COST_LIMIT_EXCEEDED", message: "Cost limit of 10000 exceeded, found 3298534883326." }));
  });

  it("when @skip or @include leave a field out, then it costs nothing", () => {
    const query = "query($no: Boolean!) { products(first: 100) @include(if: $no) { edges { node { sku } } } tags @skip(if: true) }";
    expect(cost(query, { no: false })).toBe(0);
    expect(cost(query, { no: true })).toBe(1 + 100 * 3);
  });

  it("when introspection is asked for, then it costs nothing (it has its own switch)", () => {
    expect(cost("{ __schema { types { fields { type { name } } } } }")).toBe(0);
  });

  it("when the variables do not fit the operation, then it is refused as BAD_USER_INPUT", () => {
    expect(() => costOf("query($n: Int) { products(first: $n) { totalCount } }", { n: "many" }, limits())).toThrow(
      expect.objectContaining({ code: "BAD_USER_INPUT" }),
    );
  });
});

describe("containsNul", () => {
  it("when a NUL hides in a nested string or key, then it is found", () => {
    expect(containsNul({ a: [{ b: "ok" }, "fine"] })).toBe(false);
    expect(containsNul({ a: [{ b: "o\u0000k" }] })).toBe(true);
    expect(containsNul({ ["k\u0000"]: 1 })).toBe(true);
  });

  it("when variables nest 100,000 levels deep, then the walk ends without a stack overflow", () => {
    const deep = JSON.parse("[".repeat(100_000) + '"\\u0000"' + "]".repeat(100_000));
    expect(containsNul(deep)).toBe(true);
  });
});

describe("formatEdgeError", () => {
  const formatted = (message: string, code = "GRAPHQL_VALIDATION_FAILED"): GraphQLFormattedError => ({ message, extensions: { code } });

  it("when a limit rule refused the document, then the client sees the limit's code instead of GRAPHQL_VALIDATION_FAILED", () => {
    const refusal = new RefusedRequest("DEPTH_LIMIT_EXCEEDED", "Query depth limit of 8 exceeded, found 9.");
    const wrapped = new GraphQLError(refusal.message, { originalError: refusal, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    expect(formatEdgeError(formatted(refusal.message), wrapped)).toEqual(formatted("Query depth limit of 8 exceeded, found 9.", "DEPTH_LIMIT_EXCEEDED"));
  });

  it("when Apollo refuses with a 4xx status but no code, then the client sees BAD_REQUEST rather than a server error", () => {
    const error = new GraphQLError("provided sha does not match query", { extensions: { http: { status: 400 } } });
    expect(formatEdgeError(formatted(error.message, "INTERNAL_SERVER_ERROR"), error).extensions?.code).toBe("BAD_REQUEST");
    const bug = new GraphQLError("boom");
    expect(formatEdgeError(formatted("boom", "INTERNAL_SERVER_ERROR"), bug).extensions?.code).toBe("INTERNAL_SERVER_ERROR");
  });

  it("when field suggestions are off, then 'Did you mean' is cut from the message; on, it stays", () => {
    const message = 'Cannot query field "produts" on type "Query". Did you mean "products" or "product"?';
    expect(formatEdgeError(formatted(message), new GraphQLError(message), { fieldSuggestions: false }).message).toBe('Cannot query field "produts" on type "Query".');
    expect(formatEdgeError(formatted(message), new GraphQLError(message)).message).toBe(message);
  });
});
