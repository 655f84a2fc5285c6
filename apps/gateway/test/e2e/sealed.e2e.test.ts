import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { openDatabase, type DatabaseTarget } from "@monograph/db";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import { CALLER_HEADER, issueUserToken, signRequest, type Caller, type RunningServer } from "@monograph/platform";
import { readCommittedSupergraph } from "@monograph/schema";
import { seedUsers } from "@monograph/users-subgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSubgraphProcess, type SubgraphProcess } from "../../src/distributed.ts";
import { startGateway } from "@monograph/gateway-core";
import { TEST_SECRETS } from "../support/shapes.ts";

// A subgraph process is sealed: whoever reaches its port gets nothing without the gateway's signature for that
// very request. Tried here against the real users process, as someone on the network would.
process.env.APOLLO_TELEMETRY_DISABLED ??= "true";

const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id email name role } } }`;
const REFUSED = { errors: [{ message: expect.any(String), extensions: { code: "UNAUTHENTICATED" } }] };

function databaseEnv(target: DatabaseTarget): NodeJS.ProcessEnv {
  return target.kind === "postgres" ? { DATABASE_URL: target.url } : { PGLITE_DATA_DIR: target.dataDir };
}

describe(`a sealed subgraph process (${testDatabaseKind()})`, () => {
  let database: TestDatabase;
  let users: SubgraphProcess;
  let aliceId: string;
  let adminId: string;

  beforeAll(async () => {
    database = await createTestDatabase({ inMemory: false });
    const db = await openDatabase({ target: database.target });
    await seedUsers(db.prisma);
    aliceId = (await db.prisma.user.findUniqueOrThrow({ where: { email: "alice@example.com" } })).id;
    adminId = (await db.prisma.user.findUniqueOrThrow({ where: { email: "admin@monograph.dev" } })).id;
    await db.close();
    const { DATABASE_URL: _url, PGLITE_DATA_DIR: _dir, ...inherited } = process.env;
    users = await startSubgraphProcess({ name: "users", port: 0, env: { ...inherited, ...TEST_SECRETS, NODE_ENV: "test", ...databaseEnv(database.target) } });
  });
  afterAll(async () => {
    await users?.stop();
    await database?.drop();
  });

  const send = async (body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${users.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const entitiesBody = () => JSON.stringify({ query: ENTITIES, variables: { representations: [{ __typename: "User", id: aliceId }] } });
  const signed = async (body: string, caller: Caller = { kind: "anonymous" }, now?: Date) => ({
    [CALLER_HEADER]: await signRequest(TEST_SECRETS.INTERNAL_SECRET, caller, { method: "POST", body }, { now }),
  });

  it("when someone asks for users' entities or the SDL without the gateway's signature, then it is 401 UNAUTHENTICATED and no email leaks", async () => {
    for (const body of [entitiesBody(), JSON.stringify({ query: "{ _service { sdl } }" }), JSON.stringify({ query: "{ users { totalCount } }" })]) {
      const answer = await send(body);
      expect(answer).toEqual({ status: 401, body: REFUSED });
      expect(JSON.stringify(answer)).not.toMatch(/alice|example\.com|type User/);
    }
    const { token } = await issueUserToken(TEST_SECRETS.JWT_SECRET, { id: adminId, role: "ADMIN" }, 60);
    expect(await send(entitiesBody(), { authorization: `Bearer ${token}` })).toEqual({ status: 401, body: REFUSED });
  });

  it("when the request is signed with another secret, signed for another body, or expired, then it is 401", async () => {
    const body = entitiesBody();
    const forged = { [CALLER_HEADER]: await signRequest("not-the-internal-secret-0123456789abc", { kind: "service", service: "gateway" }, { method: "POST", body }) };
    const forAnother = await signed(JSON.stringify({ query: "{ me { id } }" }));
    const expired = await signed(body, { kind: "anonymous" }, new Date(Date.now() - 120_000));
    for (const headers of [forged, forAnother, expired, { [CALLER_HEADER]: "garbage" }]) expect(await send(body, headers)).toEqual({ status: 401, body: REFUSED });
  });

  it("when the request carries the gateway's signature for exactly this body, then it is answered", async () => {
    const body = entitiesBody();
    expect(await send(body, await signed(body))).toEqual({
      status: 200,
      body: { data: { _entities: [{ id: aliceId, email: "alice@example.com", name: "Alice Martin", role: "CUSTOMER" }] } },
    });
  });

  it("when /health and /ready are asked without any signature, then they answer", async () => {
    expect((await fetch(`${users.url}/health`)).status).toBe(200);
    expect((await fetch(`${users.url}/ready`)).status).toBe(200);
  });

  describe("behind the real gateway, with a wiretap in between", () => {
    let tap: Server;
    let gateway: RunningServer;
    const captured: { header: string; body: string }[] = [];

    beforeAll(async () => {
      // Records what the gateway sends to the users process, and passes it on unchanged.
      tap = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          const header = String(request.headers[CALLER_HEADER]);
          captured.push({ header, body });
          fetch(`${users.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", [CALLER_HEADER]: header }, body })
            .then(async (answer) => {
              response.writeHead(answer.status, { "content-type": "application/json" });
              response.end(await answer.text());
            })
            .catch(() => response.destroy());
        });
      });
      await new Promise<void>((resolve) => tap.listen(0, "127.0.0.1", resolve));
      gateway = await startGateway({
        supergraphSdl: readCommittedSupergraph(),
        subgraphs: { users: { kind: "remote", url: `http://127.0.0.1:${(tap.address() as AddressInfo).port}/graphql` } },
        jwtSecret: TEST_SECRETS.JWT_SECRET,
        internalSecret: TEST_SECRETS.INTERNAL_SECRET,
        port: 0,
      });
    });
    afterAll(async () => {
      await gateway?.stop();
      await new Promise((resolve) => tap?.close(resolve));
    });

    it("when a signature the gateway sent is captured and replayed with another query, then the users process refuses it", async () => {
      const { token } = await issueUserToken(TEST_SECRETS.JWT_SECRET, { id: adminId, role: "ADMIN" }, 60);
      const answer = await fetch(gateway.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "{ me { email role } }" }),
      });
      expect(await answer.json()).toEqual({ data: { me: { email: "admin@monograph.dev", role: "ADMIN" } } });
      expect(captured).toHaveLength(1);
      const { header } = captured[0]!;
      // The admin's signature, replayed within its lifetime: for anything else than what it was signed for, 401.
      for (const body of [entitiesBody(), JSON.stringify({ query: "{ users(first: 100) { edges { node { email } } } }" }), JSON.stringify({ query: "{ _service { sdl } }" })]) {
        expect(await send(body, { [CALLER_HEADER]: header })).toEqual({ status: 401, body: REFUSED });
      }
    });
  });
});
