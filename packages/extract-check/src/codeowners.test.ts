import { describe, expect, it } from "vitest";
import { parseCodeowners, patternToRegex, ruleFor } from "./codeowners.ts";

describe("CODEOWNERS patterns", () => {
  it.each([
    ["/apps/orders-subgraph/", "apps/orders-subgraph/src/schema.graphql", true],
    ["/apps/orders-subgraph/", "x/apps/orders-subgraph/src/schema.graphql", false],
    ["apps/orders-subgraph/", "apps/orders-subgraph/package.json", true],
    ["apps/orders-subgraph", "apps/orders-subgraph/src/a.ts", true],
    ["apps/orders-subgraph", "apps/orders-subgraph-old/src/a.ts", false],
    ["orders-subgraph/", "apps/orders-subgraph/src/a.ts", true],
    ["/apps/*-subgraph/", "apps/orders-subgraph/src/a.ts", true],
    ["/apps/*/src/*.graphql", "apps/orders-subgraph/src/schema.graphql", true],
    ["/apps/*/src/*.graphql", "apps/orders-subgraph/src/deep/schema.graphql", false],
    ["apps/**/schema.graphql", "apps/orders-subgraph/src/schema.graphql", true],
    ["*.ts", "apps/orders-subgraph/src/a.ts", true],
    ["*.ts", "apps/orders-subgraph/src/schema.graphql", false],
    ["*", "anything/at/all", true],
    ["/apps/orders-subgraph/**", "apps/orders-subgraph/src/a.ts", true],
    ["/apps/orders-subgraph/s?c/a.ts", "apps/orders-subgraph/src/a.ts", true],
  ])("when the pattern is %s, then %s matches: %s", (pattern, file, matches) => {
    expect(patternToRegex(pattern).test(file)).toBe(matches);
  });

  it("when several rules match, then the last one decides, comments aside; a rule without owners clears them", () => {
    const rules = parseCodeowners(
      ["# default", "*   @monograph/platform-team", "", "/apps/orders-subgraph/ @monograph/orders-team @alice  # the team and its lead", "/apps/orders-subgraph/src/generated/"].join("\n"),
    );
    expect(ruleFor(rules, "apps/orders-subgraph/src/schema.graphql")).toMatchObject({ line: 4, owners: ["@monograph/orders-team", "@alice"] });
    expect(ruleFor(rules, "apps/orders-subgraph/src/generated/types.ts")).toMatchObject({ line: 5, owners: [] });
    expect(ruleFor(rules, "apps/billing-subgraph/src/schema.graphql")).toMatchObject({ line: 2, owners: ["@monograph/platform-team"] });
    expect(ruleFor(parseCodeowners("/docs/ @a"), "apps/x")).toBeUndefined();
  });
});
