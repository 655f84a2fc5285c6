import { ApolloServer, HeaderMap } from "@apollo/server";
import { ANONYMOUS, DomainError, ErrorCode } from "@monograph/platform";
import { buildSchema, parse, type OperationDefinitionNode } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayContext } from "./context.ts";
import { findAttempts, signInThrottlePlugin, type ThrottleLimits } from "./throttle.ts";
import { MemoryThrottleStore, type ThrottleStore } from "./throttle-store.ts";

// The plugin on a small stand-in for the users domain: signIn succeeds only with "right-password", and counts the
// calls that reach it, so a test sees what was executed and what was refused before execution.
const schema = buildSchema(`
  input SignInInput { email: String! password: String! }
  input SignUpInput { email: String! password: String! name: String! }
  type AuthPayload { token: String! }
  type Query { ok: Boolean }
  type Mutation { signIn(input: SignInInput!): AuthPayload  signUp(input: SignUpInput!): AuthPayload  other: Boolean }
`);

let reached: string[] = [];
const rootValue = {
  signIn: ({ input }: { input: { email: string; password: string } }) => {
    reached.push(input.email);
    if (input.password !== "right-password") throw new DomainError(ErrorCode.UNAUTHENTICATED, "Email or password is incorrect.");
    return { token: `token-for-${input.email}` };
  },
  signUp: ({ input }: { input: { email: string } }) => {
    reached.push(input.email);
    return { token: "new" };
  },
  other: () => true,
};

const servers: ApolloServer<GatewayContext>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  reached = [];
});

const MINUTE = 60_000;

async function throttled(limits: ThrottleLimits, store: ThrottleStore = new MemoryThrottleStore({ maxKeys: 10_000 })) {
  const server = new ApolloServer<GatewayContext>({
    schema,
    rootValue,
    allowBatchedHttpRequests: true,
    plugins: [signInThrottlePlugin({ store, limits })],
  });
  await server.start();
  servers.push(server);
  const send = async (body: unknown, clientAddress = "198.51.100.1") => {
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: "POST", headers: new HeaderMap([["content-type", "application/json"]]), search: "", body },
      context: async () => ({ caller: ANONYMOUS, clientAddress, subgraphContexts: new Map() }),
    });
    const text = response.body.kind === "complete" ? response.body.string : "";
    return { status: response.status ?? 200, retryAfter: response.headers.get("retry-after"), body: JSON.parse(text) };
  };
  return { send, store };
}

const SIGN_IN = "mutation ($input: SignInInput!) { signIn(input: $input) { token } }";
const signIn = (email: string, password = "wrong-password") => ({ query: SIGN_IN, variables: { input: { email, password } } });
const aliased = (emails: string[], password = "wrong-password") => ({
  query: `mutation { ${emails.map((email, i) => `a${i}: signIn(input: { email: "${email}", password: "${password}" }) { token }`).join(" ")} }`,
});

describe("findAttempts", () => {
  const attemptsOf = (query: string, variables?: Record<string, unknown>) => {
    const document = parse(query);
    return findAttempts(document, document.definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition")!, variables);
  };

  it("when sign-ins are aliased, in fragments, or take their email from variables, then each is one attempt with its email", () => {
    const attempts = attemptsOf(
      `mutation ($input: SignInInput!, $email: String!) {
        signIn(input: $input) { token }
        b: signIn(input: { email: $email, password: "x" }) { token }
        ... on Mutation { c: signIn(input: { email: " Carol@Example.com ", password: "x" }) { token } }
        ...More
        signUp(input: { email: "new@example.com", password: "x", name: "N" }) { token }
        other
      }
      fragment More on Mutation { d: signIn(input: { email: "dan@example.com", password: "x" }) @skip(if: true) { token } }`,
      { input: { email: "Alice@example.com", password: "x" }, email: "bob@example.com" },
    );
    expect(attempts).toEqual([
      { field: "signIn", responseKey: "signIn", email: "alice@example.com" },
      { field: "signIn", responseKey: "b", email: "bob@example.com" },
      { field: "signIn", responseKey: "c", email: "carol@example.com" },
      { field: "signIn", responseKey: "d", email: "dan@example.com" },
      { field: "signUp", responseKey: "signUp", email: "new@example.com" },
    ]);
  });

  it("when the operation is a query, or the email is missing, then there is no attempt or no email", () => {
    expect(attemptsOf(`query { signIn: ok }`)).toEqual([]);
    expect(attemptsOf(`mutation ($input: SignInInput!) { signIn(input: $input) { token } }`, {})).toEqual([{ field: "signIn", responseKey: "signIn", email: undefined }]);
  });
});

describe("the sign-in throttle plugin", () => {
  it("when an address goes over its limit, then it gets 429, Retry-After and RATE_LIMITED, nothing executes, and another address still signs in", async () => {
    const { send } = await throttled({ signInPerAddress: { limit: 3, windowMs: MINUTE } });
    for (let i = 0; i < 3; i += 1) expect((await send(signIn(`user${i}@example.com`))).body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const refused = await send(signIn("user3@example.com", "right-password"));
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(120);
    expect(refused.body.errors).toEqual([
      { message: expect.stringMatching(/Too many sign-in attempts/), extensions: { code: "RATE_LIMITED", retryAfterSeconds: Number(refused.retryAfter) } },
    ]);
    expect(refused.body.data).toBeUndefined();
    expect(reached).toHaveLength(3);

    const elsewhere = await send(signIn("user3@example.com", "right-password"), "198.51.100.2");
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.data.signIn.token).toBe("token-for-user3@example.com");
  });

  it("when a document holds aliased sign-ins, then each counts, and a document with more than are left is refused whole", async () => {
    const { send } = await throttled({ signInPerAddress: { limit: 5, windowMs: MINUTE } });
    const first = await send(aliased(["a@example.com", "b@example.com", "c@example.com"]));
    expect(first.status).toBe(200);
    const second = await send(aliased(["d@example.com", "e@example.com", "f@example.com"]));
    expect(second.status).toBe(429);
    expect(second.body.errors[0].extensions.code).toBe("RATE_LIMITED");
    expect(reached).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
    // The two attempts left still go through.
    expect((await send(aliased(["g@example.com", "h@example.com"]))).status).toBe(200);
    // More than the limit in one document can never pass, and says so.
    const tooMany = await send(aliased(["1@example.com", "2@example.com", "3@example.com", "4@example.com", "5@example.com", "6@example.com"]), "198.51.100.99");
    expect(tooMany.status).toBe(429);
    expect(tooMany.body.errors[0]).toMatchObject({ message: expect.stringMatching(/more sign-in attempts than are allowed at once/), extensions: { code: "RATE_LIMITED" } });
  });

  it("when an account fails too often, then it is refused from any address, while its successful sign-ins never count", async () => {
    const { send } = await throttled({ signInPerAccount: { limit: 3, windowMs: 15 * MINUTE } });
    for (let i = 0; i < 10; i += 1) expect((await send(signIn("ok@example.com", "right-password"), `203.0.113.${i}`)).status).toBe(200);
    for (let i = 0; i < 3; i += 1) expect((await send(signIn("Target@Example.com"), `203.0.113.${i}`)).body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const refused = await send(signIn("target@example.com", "right-password"), "192.0.2.99");
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].extensions.code).toBe("RATE_LIMITED");
    // Minutes, not seconds: the account's failures must slide out of a 15-minute window.
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(5 * 60);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(30 * 60);
  });

  it("when wrong sign-ins for one account arrive all at once, then no more than the account's limit reach the password check", async () => {
    const { send } = await throttled({ signInPerAccount: { limit: 5, windowMs: 15 * MINUTE } });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => send(signIn("burst@example.com"), `203.0.113.${i}`)));
    expect(reached).toHaveLength(5);
    expect(results.filter((result) => result.status === 429)).toHaveLength(25);
  });

  it("when an aliased document's sign-ins for one account fail, then each failure counts against it", async () => {
    const { send } = await throttled({ signInPerAccount: { limit: 4, windowMs: 15 * MINUTE } });
    expect((await send(aliased(["x@example.com", "x@example.com", "x@example.com"]))).body.errors).toHaveLength(3);
    expect((await send(aliased(["x@example.com", "x@example.com"]))).status).toBe(429);
    expect((await send(signIn("x@example.com"))).body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect((await send(signIn("x@example.com"))).status).toBe(429);
  });

  it("when sign-ups from one address go over their limit, then they are refused, and sign-ins are counted apart", async () => {
    const { send } = await throttled({ signUpPerAddress: { limit: 2, windowMs: MINUTE }, signInPerAddress: { limit: 2, windowMs: MINUTE } });
    const signUp = (email: string) => ({ query: `mutation { signUp(input: { email: "${email}", password: "long-enough-1", name: "N" }) { token } }` });
    expect((await send(signUp("one@example.com"))).status).toBe(200);
    expect((await send(signUp("two@example.com"))).status).toBe(200);
    const refused = await send(signUp("three@example.com"));
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0]).toMatchObject({ message: expect.stringMatching(/Too many sign-ups/), extensions: { code: "RATE_LIMITED" } });
    expect((await send(signIn("one@example.com", "right-password"))).status).toBe(200);
  });

  it("when a batch holds a refused sign-in, then the batch answers 429 with Retry-After, and each operation's own result is in the body", async () => {
    const { send } = await throttled({ signInPerAddress: { limit: 1, windowMs: MINUTE } });
    const batch = await send([signIn("first@example.com", "right-password"), { query: "{ ok }" }]);
    expect(batch.status).toBe(200);
    const refusedBatch = await send([{ query: "{ ok }" }, signIn("second@example.com", "right-password"), { query: "mutation { other }" }]);
    expect(refusedBatch.status).toBe(429);
    expect(Number(refusedBatch.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refusedBatch.body).toEqual([
      { data: { ok: null } },
      { errors: [expect.objectContaining({ extensions: { code: "RATE_LIMITED", retryAfterSeconds: Number(refusedBatch.retryAfter) } })] },
      { data: { other: true } },
    ]);
  });

  it("when the store fails, then sign-ins fail closed with 503 SERVICE_UNAVAILABLE and nothing internal, and other operations run", async () => {
    const broken: ThrottleStore = {
      take: () => Promise.reject(new Error("connect ECONNREFUSED 10.1.2.3:6379")),
      refund: () => Promise.resolve(),
      ping: () => Promise.reject(new Error("down")),
      close: () => Promise.resolve(),
    };
    const { send } = await throttled({ signInPerAddress: { limit: 5, windowMs: MINUTE } }, broken);
    const refused = await send(signIn("a@example.com", "right-password"));
    expect(refused.status).toBe(503);
    expect(JSON.stringify(refused.body)).not.toMatch(/ECONNREFUSED|6379|10\.1\.2\.3/);
    expect(refused.body.errors[0].extensions).toEqual({ code: "SERVICE_UNAVAILABLE" });
    expect((await send({ query: "mutation { other }" })).body).toEqual({ data: { other: true } });
  });

  it("when attempts come from ever new addresses and emails, then the memory store stays within its bound", async () => {
    const store = new MemoryThrottleStore({ maxKeys: 200 });
    const { send } = await throttled({ signInPerAddress: { limit: 5, windowMs: MINUTE }, signInPerAccount: { limit: 5, windowMs: MINUTE } }, store);
    for (let i = 0; i < 500; i += 1) await send(signIn(`flood-${i}@example.com`), `10.9.${i >> 8}.${i & 255}`);
    expect(store.size).toBeLessThanOrEqual(200);
  });
});
