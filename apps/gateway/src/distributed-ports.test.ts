import { describe, expect, it } from "vitest";
import { distributedPortsEnvSchema } from "./env.ts";

const parse = (env: Record<string, string>) => distributedPortsEnvSchema.safeParse(env);

describe("the subgraph ports of start:distributed", () => {
  it("are 4001-4005 by default, in the registry's order", () => {
    expect(parse({}).data).toEqual({ users: 4001, inventory: 4002, orders: 4003, billing: 4004, notifications: 4005 });
  });

  it("follow SUBGRAPH_BASE_PORT in the registry's order (users, inventory, orders, billing, notifications), and <NAME>_PORT overrides one", () => {
    expect(parse({ SUBGRAPH_BASE_PORT: "5101", ORDERS_PORT: "6000" }).data).toEqual({ users: 5101, inventory: 5102, orders: 6000, billing: 5104, notifications: 5105 });
  });

  it("are free ones with PORT=0, except those given; an empty variable counts as unset", () => {
    expect(parse({ PORT: "0", BILLING_PORT: "7004", USERS_PORT: "" }).data).toEqual({ users: 0, inventory: 0, orders: 0, billing: 7004, notifications: 0 });
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
