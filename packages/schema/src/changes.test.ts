import { buildSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { diffApiSchemas } from "./changes.ts";

const BASE = `
  type Query { products(first: Int = 10, filter: Filter): [Product!]! search(term: String): [Product!]! }
  type Product { id: ID! name: String! code: String @deprecated(reason: "Use id.") }
  enum Kind { BOOK GAME }
  input Filter { kind: Kind text: String }
`;

/** The rows for one edit of BASE, as [severity, coordinate, type]. */
async function rows(edit: (sdl: string) => string) {
  const next = edit(BASE);
  if (next === BASE) throw new Error("the edit changed nothing");
  const changes = await diffApiSchemas(buildSchema(BASE), buildSchema(next));
  return changes.map((c) => [c.severity, c.coordinate, c.type]);
}

describe("diffApiSchemas: one row per fact, with a coordinate", () => {
  it("when a field is deprecated, then there is one safe row for the field (not the @deprecated usage and its reason too)", async () => {
    expect(await rows((s) => s.replace("name: String!", 'name: String! @deprecated(reason: "Use title.")'))).toEqual([["safe", "Product.name", "FIELD_DEPRECATION_ADDED"]]);
  });

  it("when a deprecation reason changes, then there is one safe row (graphql-inspector also calls the reason's removal dangerous)", async () => {
    expect(await rows((s) => s.replace('reason: "Use id."', 'reason: "Use id; gone in June."'))).toEqual([["safe", "Product.code", "FIELD_DEPRECATION_REASON_CHANGED"]]);
  });

  it("when an enum value is deprecated, then there is one safe row for the value", async () => {
    expect(await rows((s) => s.replace("GAME }", 'GAME @deprecated(reason: "No games.") }'))).toEqual([["safe", "Kind.GAME", "ENUM_VALUE_DEPRECATION_REASON_ADDED"]]);
  });

  it("when an argument or input field is deprecated, then its row names it as a coordinate", async () => {
    const changes = await rows((s) => s.replace("filter: Filter)", 'filter: Filter @deprecated(reason: "Use search."))').replace("text: String }", 'text: String @deprecated(reason: "Use search.") }'));
    expect(changes).toEqual([
      ["safe", "Query.products(filter:)", "DIRECTIVE_USAGE_ARGUMENT_DEFINITION_ADDED"],
      ["safe", "Filter.text", "DIRECTIVE_USAGE_INPUT_FIELD_DEFINITION_ADDED"],
    ]);
  });

  it("when an argument's deprecation reason changes, then there is one safe row for the argument", async () => {
    const deprecated = BASE.replace("filter: Filter)", 'filter: Filter @deprecated(reason: "a"))');
    const changes = await diffApiSchemas(buildSchema(deprecated), buildSchema(deprecated.replace('reason: "a"', 'reason: "b"')));
    expect(changes.map((c) => [c.severity, c.coordinate, c.message])).toEqual([["safe", "Query.products(filter:)", "Deprecation reason of 'Query.products(filter:)' changed"]]);
  });

  it("when a field is added with a description and a deprecation, then the addition is the one row", async () => {
    expect(await rows((s) => s.replace("name: String!", 'name: String!\n "The weight." weight: Int @deprecated(reason: "Not yet.")'))).toEqual([["safe", "Product.weight", "FIELD_ADDED"]]);
  });

  it("when a type is added, then its descriptions are not reported separately", async () => {
    const changes = await rows((s) => `${s}\n"A shelf." type Shelf { "Its label." label: String }\nextend type Query { shelf: Shelf }`);
    expect(changes).toEqual(expect.arrayContaining([["safe", "Shelf", "TYPE_ADDED"], ["safe", "Query.shelf", "FIELD_ADDED"]]));
    expect(changes.filter((c) => String(c[2]).includes("DESCRIPTION"))).toEqual([]);
  });

  it("when an argument is made required, then operations that only select the field are affected too", async () => {
    const changes = await diffApiSchemas(buildSchema(BASE), buildSchema(BASE.replace("search(term: String)", "search(term: String!)")));
    expect(changes).toEqual([expect.objectContaining({ severity: "breaking", coordinate: "Query.search(term:)", affects: ["Query.search(term:)", "Query.search"] })]);
  });

  it("when an input field is made required, then operations that use the input type at all are affected", async () => {
    const changes = await diffApiSchemas(buildSchema(BASE), buildSchema(BASE.replace("text: String }", "text: String! }")));
    expect(changes).toEqual([expect.objectContaining({ severity: "breaking", coordinate: "Filter.text", affects: ["Filter.text", "Filter"] })]);
  });

  it("when a directive gains an argument, then the coordinate names the directive's argument", async () => {
    const withDirective = `${BASE}\ndirective @cached(ttl: Int) on FIELD`;
    const changes = await diffApiSchemas(buildSchema(withDirective), buildSchema(withDirective.replace("(ttl: Int)", "(ttl: Int, scope: String!)")));
    expect(changes.map((c) => [c.severity, c.coordinate])).toEqual([["breaking", "@cached(scope:)"]]);
  });
});
