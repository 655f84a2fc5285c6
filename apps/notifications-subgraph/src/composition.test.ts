import { readdirSync, readFileSync } from "node:fs";
import { composeSupergraph, loadSubgraphSdls, SUBGRAPHS } from "@monograph/schema";
import { buildSchema, GraphQLObjectType, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";

/**
 * The notifications subgraph is not in the registry yet (issue 13: one line, added by whoever wires it). Until then
 * this proves that adding it composes with the other subgraphs, and that its recorded operations (in
 * ../operations/web, to move to packages/schema/operations/web then) are valid against the resulting API.
 */
describe("notifications in the supergraph", () => {
  const others = loadSubgraphSdls(undefined, SUBGRAPHS.filter((subgraph) => subgraph.name !== "notifications"));
  const own = { name: "notifications", typeDefs: readFileSync(new URL("./schema.graphql", import.meta.url), "utf8"), url: "http://localhost:4005/graphql" };

  it("composes with the other subgraphs, and the API gains User.notifications and markNotificationRead", () => {
    const composed = composeSupergraph([...others, own]);
    const api = buildSchema(composed.apiSchemaSdl);
    const user = api.getType("User");
    expect(user).toBeInstanceOf(GraphQLObjectType);
    expect((user as GraphQLObjectType).getFields().notifications?.type.toString()).toBe("NotificationConnection!");
    expect(api.getMutationType()?.getFields().markNotificationRead?.type.toString()).toBe("Notification");
  });

  it("its recorded operations are valid against that API", () => {
    const api = buildSchema(composeSupergraph([...others, own]).apiSchemaSdl);
    const dir = new URL("../operations/web/", import.meta.url);
    const files = readdirSync(dir).filter((file) => file.endsWith(".graphql"));
    expect(files.sort()).toEqual(["mark-notification-read.graphql", "my-notifications.graphql"]);
    for (const file of files) expect(validate(api, parse(readFileSync(new URL(file, dir), "utf8"))).map((error) => `${file}: ${error.message}`)).toEqual([]);
  });
});
