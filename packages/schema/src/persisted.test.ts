import { readFileSync } from "node:fs";
import { parse, print } from "graphql";
import { describe, expect, it } from "vitest";
import { parseOperations } from "./operations.ts";
import { PERSISTED_OPERATIONS_PATH, REPO_ROOT } from "./paths.ts";
import { addTypename, buildPersistedManifest, canonicalOperationKey, formatManifest, manifestOfRepository, persistedOperationId, readPersistedOperations } from "./persisted.ts";

const FILES = [
  { client: "web", file: "operations/web/order.graphql", body: "# a comment\nquery Order($id: ID!) { order(id: $id) { ...Summary items { sku } } }" },
  { client: "web", file: "operations/web/fragments.graphql", body: "fragment Summary on Order { id status ...Money }\nfragment Money on Order { totalCents currency }" },
  { client: "web", file: "operations/web/me.graphql", body: "query Me { me { id } }\nmutation SignOut { signOut }" },
];

describe("the manifest of persisted operations", () => {
  const manifest = buildPersistedManifest(parseOperations(FILES).operations);

  it("when operations are recorded, then each becomes one entry in Apollo's manifest format, with the client that recorded it", () => {
    expect(manifest.format).toBe("apollo-persisted-query-manifest");
    expect(manifest.version).toBe(1);
    expect(manifest.operations.map((o) => [o.clientName, o.name, o.type])).toEqual([
      ["web", "Me", "query"],
      ["web", "Order", "query"],
      ["web", "SignOut", "mutation"],
    ]);
  });

  it("when an id is computed, then it is the sha256 (hex) of the body, and the body is graphql's print of itself (what a client sends)", () => {
    for (const operation of manifest.operations) {
      expect(operation.id).toMatch(/^[0-9a-f]{64}$/);
      expect(operation.id).toBe(persistedOperationId(operation.body));
      expect(print(parse(operation.body))).toBe(operation.body);
    }
    // A known value: sha256 of the empty string, so the hash is the protocol's, not something of our own.
    expect(persistedOperationId("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("when an operation spreads fragments, then the body holds exactly those it needs, each after the fragments it spreads, with __typename added as Apollo Client adds it", () => {
    const order = manifest.operations.find((o) => o.name === "Order")!;
    expect(order.body).toBe(
      [
        "query Order($id: ID!) {\n  order(id: $id) {\n    ...Summary\n    items {\n      sku\n      __typename\n    }\n    __typename\n  }\n}",
        "fragment Money on Order {\n  totalCents\n  currency\n  __typename\n}",
        "fragment Summary on Order {\n  id\n  status\n  ...Money\n  __typename\n}",
      ].join("\n\n"),
    );
    // The root selection set gets none, and one that selects __typename (or introspection) is left alone.
    expect(print(addTypename(parse("{ me { __typename id } __schema { types { name } } }")))).toBe("{\n  me {\n    __typename\n    id\n  }\n  __schema {\n    types {\n      name\n      __typename\n    }\n    __typename\n  }\n}");
  });

  it("when the same operation is written differently (whitespace, comments, without __typename, fragments in another order), then its canonical key is the same; another operation's differs", () => {
    const order = manifest.operations.find((o) => o.name === "Order")!;
    const key = canonicalOperationKey(parse(order.body));
    const asRecorded = `${FILES[0]!.body}\n${FILES[1]!.body}`;
    expect(canonicalOperationKey(parse(asRecorded))).toBe(key);
    expect(canonicalOperationKey(parse("fragment Money on Order { totalCents currency } query Order($id: ID!) { order(id: $id) { ...Summary items { sku } } } fragment Summary on Order { id status ...Money }"))).toBe(key);
    expect(canonicalOperationKey(parse("query Order($id: ID!) { order(id: $id) { ...Summary items { sku name } } } fragment Summary on Order { id status ...Money } fragment Money on Order { totalCents currency }"))).not.toBe(key);
  });

  it("when the same document is recorded twice, then it is listed once", () => {
    const twice = buildPersistedManifest(parseOperations([FILES[2]!, { ...FILES[2]!, file: "operations/web/me-again.graphql" }]).operations);
    expect(twice.operations.map((o) => o.name)).toEqual(["Me", "SignOut"]);
  });

  it("when the committed manifest is read, then it is the manifest of the recorded operations, and every id checks out", () => {
    expect(readFileSync(PERSISTED_OPERATIONS_PATH, "utf8"), "run npm run schema:compose and commit the result").toBe(formatManifest(manifestOfRepository(REPO_ROOT)));
    const committed = readPersistedOperations();
    expect(committed.operations.map((o) => o.name)).toContain("MyOrders");
  });
});
