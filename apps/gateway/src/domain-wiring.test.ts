import type { PrismaClient } from "@monograph/db";
import { defineDomain, needPort, providePort, sharedEnvSchema, type PortContract, type SubgraphModule } from "@monograph/platform";
import { GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { wireDomains, type WireDomainsOptions } from "./domain-wiring.ts";

// The loop that wires domains by what their modules declare, with made-up domains: a provider of a "greetings" port
// and a consumer of it.
interface Greetings {
  greet(name: string): Promise<string>;
}
type GreetingsPort = PortContract<"greetings", Greetings>;

// These tests wire ports and routes, never a query: the database is a stand-in no domain here touches.
const db = { as: () => ({}) as PrismaClient };
const subgraph = (name: string): SubgraphModule => ({ name, schema: new GraphQLSchema({}), createContext: (caller) => ({ caller }) });

const provider = defineDomain({
  name: "hello",
  provides: [
    providePort<GreetingsPort>("greetings", () => ({
      api: { greet: async (name) => `hello, ${name}` },
      routes: () => async (request, response) => {
        if (request.url !== "/internal/greetings") return false;
        response.end("served");
        return true;
      },
    })),
  ],
  build: () => ({ subgraph: subgraph("hello") }),
});

/** A consumer that answers, through its subgraph's context, what the port said: in process or over "HTTP". */
function consumer(calls: string[]) {
  let greetings: Greetings | undefined;
  const module = defineDomain({
    name: "guest",
    needs: [
      needPort<GreetingsPort>("greetings", "hello", ({ baseUrl }) => {
        calls.push(baseUrl);
        return { greet: async (name) => `remote hello, ${name}` };
      }),
    ],
    build: ({ ports }) => {
      greetings = ports.get<GreetingsPort>("greetings");
      return { subgraph: subgraph("guest") };
    },
  });
  return { module, greet: (name: string) => greetings!.greet(name) };
}

const options = (overrides: Partial<WireDomainsOptions>): WireDomainsOptions => ({
  modules: [],
  everyDomainHere: false,
  db,
  settings: sharedEnvSchema.parse({ NODE_ENV: "test" }),
  env: {},
  providerUrl: (name) => `http://${name}.internal:4000`,
  ...overrides,
});

describe("wiring domains by what their modules declare", () => {
  it("when the provider of a needed port runs here, then the consumer calls it in process and nothing is served over HTTP", async () => {
    const calls: string[] = [];
    const guest = consumer(calls);
    const wired = await wireDomains(options({ modules: [provider, guest.module], everyDomainHere: true }));
    expect(await guest.greet("ada")).toBe("hello, ada");
    expect(calls).toEqual([]);
    expect(wired.routes).toBeUndefined();
    expect(wired.subgraphs.map((s) => s.name)).toEqual(["hello", "guest"]);
  });

  it("when the provider runs elsewhere, then the consumer gets its own client at the provider's URL", async () => {
    const calls: string[] = [];
    const guest = consumer(calls);
    await wireDomains(options({ modules: [guest.module] }));
    expect(await guest.greet("ada")).toBe("remote hello, ada");
    expect(calls).toEqual(["http://hello.internal:4000"]);
  });

  it("when a consumer may run elsewhere, then the provider's routes are mounted", async () => {
    const wired = await wireDomains(options({ modules: [provider] }));
    let body = "";
    const response = { end: (text: string) => void (body = text) } as never;
    expect(await wired.routes!({ url: "/internal/greetings" } as never, response)).toBe(true);
    expect(body).toBe("served");
    expect(await wired.routes!({ url: "/elsewhere" } as never, response)).toBe(false);
  });

  it("when the named provider runs here but does not provide the port, then wiring fails naming both", async () => {
    const calls: string[] = [];
    const guest = consumer(calls);
    const silent = defineDomain({ name: "hello", build: () => ({ subgraph: subgraph("hello") }) });
    await expect(wireDomains(options({ modules: [silent, guest.module] }))).rejects.toThrow('guest needs the port "greetings" from hello, which runs here but does not provide it');
  });

  it("when a domain has nothing to publish or subscribe to, then starting connects no transport", async () => {
    const wired = await wireDomains(options({ modules: [provider] }));
    expect(await wired.start({ natsUrl: "nats://127.0.0.1:1", connectionName: "test" })).toBeUndefined();
    await wired.stop();
  });

  it("when seeding, then each module's seed runs once and the rows are told by domain", async () => {
    const seeded: string[] = [];
    const withSeed = defineDomain({ ...provider, seed: async () => (seeded.push("hello"), 3) });
    const wired = await wireDomains(options({ modules: [withSeed, consumer([]).module] }));
    expect(await wired.seed()).toEqual({ hello: 3 });
    expect(seeded).toEqual(["hello"]);
  });
});
