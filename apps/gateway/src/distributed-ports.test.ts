import { DOMAIN_NAMES, DOMAINS } from "@monograph/domains";
import { describe, expect, it } from "vitest";
import { distributedPortsEnvSchema } from "./env.ts";

const parse = (env: Record<string, string>) => distributedPortsEnvSchema.safeParse(env);
// The examples name the first domains; every registered domain's port is checked against the registry, so a new
// domain needs no line here.

describe("the subgraph ports of start:distributed", () => {
  it("are the registry's ports by default (users 4001, inventory 4002...)", () => {
    expect(parse({}).data).toEqual(Object.fromEntries(DOMAINS.map((domain) => [domain.name, domain.defaultPort])));
    expect(parse({}).data).toMatchObject({ users: 4001, inventory: 4002, orders: 4003 });
  });

  it("follow SUBGRAPH_BASE_PORT in the registry's order (users, inventory, orders...), and <NAME>_PORT overrides one", () => {
    const ports = parse({ SUBGRAPH_BASE_PORT: "5101", ORDERS_PORT: "6000" }).data;
    expect(ports).toMatchObject({ users: 5101, inventory: 5102, orders: 6000, billing: 5104 });
    expect(ports).toEqual(Object.fromEntries(DOMAIN_NAMES.map((name, index) => [name, name === "orders" ? 6000 : 5101 + index])));
  });

  it("are free ones with PORT=0, except those given; an empty variable counts as unset", () => {
    const ports = parse({ PORT: "0", BILLING_PORT: "7004", USERS_PORT: "" }).data;
    expect(ports).toEqual(Object.fromEntries(DOMAIN_NAMES.map((name) => [name, name === "billing" ? 7004 : 0])));
  });

  it("are refused, naming the variable, when not a port, out of range, or colliding with another process's", () => {
    const problems = (env: Record<string, string>) => parse(env).error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? [];
    expect(problems({ USERS_PORT: "http" })[0]).toMatch(/^USERS_PORT: /);
    expect(problems({ INVENTORY_PORT: "70000" })[0]).toMatch(/^INVENTORY_PORT: /);
    expect(problems({ SUBGRAPH_BASE_PORT: "65534" })[0]).toMatch(/^SUBGRAPH_BASE_PORT: .*consecutive ports/);
    expect(problems({ ORDERS_PORT: "4001" })).toEqual(["ORDERS_PORT: port 4001 of the orders subgraph is also USERS_PORT (the users subgraph)'s"]);
    expect(problems({ PORT: "5000", SUBGRAPH_BASE_PORT: "4999" })).toEqual(["INVENTORY_PORT: port 5000 of the inventory subgraph is also PORT (the gateway)'s"]);
    expect(problems({ METRICS_PORT: "4004" })).toEqual(["BILLING_PORT: port 4004 of the billing subgraph is also METRICS_PORT's"]);
  });
});
