import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkDrift } from "./committed.ts";
import { composeSupergraph } from "./compose.ts";
import { CompositionFailure } from "./errors.ts";
import { CATALOG, LINK, REVIEWS } from "./fixtures.test-support.ts";
import { API_SCHEMA_PATH, REPO_ROOT, SUPERGRAPH_PATH } from "./paths.ts";
import { discoverSubgraphs, loadSubgraphSdls, SUBGRAPHS } from "./subgraphs.ts";

function compositionErrors(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof CompositionFailure) return error.errors;
    throw error;
  }
  throw new Error("expected a CompositionFailure");
}

describe("composeSupergraph", () => {
  it("when the subgraphs compose, then it returns the supergraph and an API schema without federation machinery", () => {
    const composed = composeSupergraph([
      { name: "catalog", typeDefs: CATALOG },
      { name: "reviews", typeDefs: REVIEWS },
    ]);
    expect(composed.supergraphSdl).toContain('CATALOG @join__graph(name: "catalog", url: "http://localhost:4001/graphql")');
    expect(composed.apiSchemaSdl).toContain('"""Something we sell."""\ntype Product implements Node');
    expect(composed.apiSchemaSdl).not.toMatch(/join__|@key|_entities|_service/);
  });

  it("when a subgraph is known, then the supergraph records its placeholder URL; an explicit url wins", () => {
    const composed = composeSupergraph([
      { name: "inventory", typeDefs: CATALOG },
      { name: "reviews", typeDefs: REVIEWS, url: "http://reviews.internal/graphql" },
    ]);
    expect(composed.supergraphSdl).toContain('url: "http://localhost:4002/graphql"');
    expect(composed.supergraphSdl).toContain('url: "http://reviews.internal/graphql"');
  });

  it("when the same subgraphs are composed twice, then the output is identical", () => {
    const once = composeSupergraph([{ name: "catalog", typeDefs: CATALOG }, { name: "reviews", typeDefs: REVIEWS }]);
    const twice = composeSupergraph([{ name: "catalog", typeDefs: CATALOG }, { name: "reviews", typeDefs: REVIEWS }]);
    expect(twice).toEqual(once);
  });

  it("when a subgraph's SDL does not parse, then the error names the subgraph and the line", () => {
    const errors = compositionErrors(() => composeSupergraph([{ name: "catalog", typeDefs: CATALOG }, { name: "reviews", typeDefs: `${LINK}\ntype Review {\n  id: ID!\n` }]));
    expect(errors).toEqual([expect.objectContaining({ code: "INVALID_GRAPHQL", subgraphs: ["reviews"], locations: [{ subgraph: "reviews", line: 5, column: 1 }] })]);
  });

  it("when two subgraphs disagree on a field's type, then the error names both with Apollo's code and what to do", () => {
    const errors = compositionErrors(() =>
      composeSupergraph([
        { name: "catalog", typeDefs: CATALOG },
        { name: "reviews", typeDefs: REVIEWS.replace("  reviews: [Review!]!", "  reviews: [Review!]!\n  price: String @shareable").replace("  price: Int", "  price: Int @shareable") },
      ]),
    );
    expect(errors).toContainEqual(expect.objectContaining({ code: "FIELD_TYPE_MISMATCH", subgraphs: ["catalog", "reviews"], advice: expect.stringContaining("same type") }));
  });

  it("when an SDL uses an unknown directive, then the error names that subgraph only", () => {
    const errors = compositionErrors(() => composeSupergraph([{ name: "catalog", typeDefs: CATALOG }, { name: "reviews", typeDefs: REVIEWS.replace("rating: Int", "rating: Int @stars") }]));
    expect(errors).toEqual([expect.objectContaining({ code: "INVALID_GRAPHQL", subgraphs: ["reviews"], message: 'Unknown directive "@stars".' })]);
  });
});

describe("subgraph SDL files", () => {
  it("when a listed subgraph has no SDL file, then loading fails with a missing SDL file error naming it", () => {
    const root = mkdtempSync(path.join(tmpdir(), "monograph-schema-"));
    mkdirSync(path.join(root, "apps/users-subgraph/src"), { recursive: true });
    writeFileSync(path.join(root, "apps/users-subgraph/src/schema.graphql"), CATALOG);
    const errors = compositionErrors(() => loadSubgraphSdls(root));
    // Every listed subgraph but users (the registry's, in its order).
    expect(errors.map((e) => e.subgraphs)).toEqual(SUBGRAPHS.filter((subgraph) => subgraph.name !== "users").map((subgraph) => [subgraph.name]));
    expect(errors[0]).toMatchObject({ code: "MISSING_SDL_FILE", message: expect.stringContaining('missing SDL file for subgraph "inventory": apps/inventory-subgraph/src/schema.graphql') });
  });

  it("when subgraphs are discovered in this repository, then they are the listed ones in the listed order", () => {
    expect(discoverSubgraphs(REPO_ROOT).map((s) => [s.name, s.defaultPort])).toEqual(SUBGRAPHS.map((s) => [s.name, s.defaultPort]));
  });
});

describe("the committed supergraph", () => {
  // The gateway serves packages/schema/supergraph.graphql: a subgraph SDL edited without `npm run schema:compose`
  // would otherwise ship an API that differs from the code.
  it("when the subgraph SDL files are composed afresh, then the committed supergraph.graphql, api-schema.graphql and persisted-operations.json match", () => {
    const composed = composeSupergraph(loadSubgraphSdls());
    const drift = checkDrift(REPO_ROOT, composed);
    expect(drift.files, "run npm run schema:compose and commit the result").toEqual([
      { file: "packages/schema/supergraph.graphql", status: "up-to-date" },
      { file: "packages/schema/api-schema.graphql", status: "up-to-date" },
      { file: "packages/schema/persisted-operations.json", status: "up-to-date" },
    ]);
    expect(readFileSync(SUPERGRAPH_PATH, "utf8")).toContain('@join__graph(name: "users", url: "http://localhost:4001/graphql")');
    expect(readFileSync(API_SCHEMA_PATH, "utf8")).not.toContain("join__");
  });
});
