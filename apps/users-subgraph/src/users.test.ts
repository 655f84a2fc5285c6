import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import type { DatabaseHandle } from "@monograph/db";
import { verifyUserToken, type Caller } from "@monograph/platform";
import { errorCodes, executeOnSubgraph } from "@monograph/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUsersSubgraph, seedUsers, SEEDED_USERS } from "./index.ts";

const JWT_SECRET = "users-test-secret-0123456789";

describe("users subgraph", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  let subgraph: ReturnType<typeof createUsersSubgraph>;
  let admin: Caller;
  let alice: Caller;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
    await seedUsers(db.prisma);
    subgraph = createUsersSubgraph({ db: db.prisma, jwtSecret: JWT_SECRET });
    const byEmail = async (email: string) => db.prisma.user.findUniqueOrThrow({ where: { email } });
    const a = await byEmail("admin@monograph.dev");
    const b = await byEmail("alice@example.com");
    admin = { kind: "user", userId: a.id, role: "ADMIN" };
    alice = { kind: "user", userId: b.id, role: "CUSTOMER" };
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token expiresAt user { id email name role } } }`;
  const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { token user { id email role } } }`;

  it("when a customer signs up, then they get a token for their new account, with the email normalised", async () => {
    const result = await executeOnSubgraph<{ signUp: { token: string; user: { id: string; email: string; role: string } } }>(subgraph, SIGN_UP, {
      variables: { input: { email: "  New.Person@Example.com ", password: "a-strong-pass-1", name: "New Person" } },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.signUp.user).toMatchObject({ email: "new.person@example.com", role: "CUSTOMER" });
    const caller = await verifyUserToken(JWT_SECRET, result.data!.signUp.token);
    expect(caller).toEqual({ kind: "user", userId: result.data!.signUp.user.id, role: "CUSTOMER" });
  });

  it.each([
    ["a duplicate email (any case)", { email: "ALICE@example.com", password: "a-strong-pass-1", name: "A" }, "CONFLICT", "email"],
    ["a malformed email", { email: "not-an-email", password: "a-strong-pass-1", name: "A" }, "BAD_USER_INPUT", "email"],
    ["a short password", { email: "x1@example.com", password: "short1", name: "A" }, "BAD_USER_INPUT", "password"],
    ["a password without digits", { email: "x2@example.com", password: "only-letters-here", name: "A" }, "BAD_USER_INPUT", "password"],
    ["an empty name", { email: "x3@example.com", password: "a-strong-pass-1", name: "   " }, "BAD_USER_INPUT", "name"],
  ])("when signing up with %s, then it is refused with a stable code and no account is created", async (_label, input, code, field) => {
    const before = await db.prisma.user.count();
    const result = await executeOnSubgraph(subgraph, SIGN_UP, { variables: { input } });
    expect(errorCodes(result)).toEqual([code]);
    expect(result.errors?.[0]?.extensions?.field).toBe(field);
    expect(await db.prisma.user.count()).toBe(before);
  });

  it("when several sign-ups with one email arrive at the same moment, then exactly one succeeds and the others get CONFLICT", async () => {
    const input = { email: "race@example.com", password: "a-strong-pass-1", name: "Racer" };
    const results = await Promise.all(Array.from({ length: 8 }, () => executeOnSubgraph(subgraph, SIGN_UP, { variables: { input } })));
    expect(results.filter((result) => result.errors === undefined)).toHaveLength(1);
    expect(results.flatMap((result) => errorCodes(result)).sort()).toEqual(Array(7).fill("CONFLICT"));
    expect(await db.prisma.user.count({ where: { email: input.email } })).toBe(1);
  });

  it("when signing in with the seeded credentials, then the token carries the user's role", async () => {
    const seeded = SEEDED_USERS[0];
    const result = await executeOnSubgraph<{ signIn: { token: string; user: { role: string } } }>(subgraph, SIGN_IN, {
      variables: { input: { email: seeded.email, password: seeded.password } },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.signIn.user.role).toBe("ADMIN");
  });

  it("when the email or the password is wrong, then both failures look exactly the same", async () => {
    const wrongPassword = await executeOnSubgraph(subgraph, SIGN_IN, { variables: { input: { email: "alice@example.com", password: "wrong-password-1" } } });
    const unknownEmail = await executeOnSubgraph(subgraph, SIGN_IN, { variables: { input: { email: "nobody@example.com", password: "wrong-password-1" } } });
    expect(errorCodes(wrongPassword)).toEqual(["UNAUTHENTICATED"]);
    expect(wrongPassword.errors?.[0]?.message).toBe(unknownEmail.errors?.[0]?.message);
    expect(wrongPassword.errors?.[0]?.extensions).toEqual(unknownEmail.errors?.[0]?.extensions);
  });

  it("when asking for me, then a signed-in user gets themselves and an anonymous caller gets null", async () => {
    const signedIn = await executeOnSubgraph<{ me: { email: string } }>(subgraph, `{ me { email } }`, { caller: alice });
    expect(signedIn.data?.me.email).toBe("alice@example.com");
    const anonymous = await executeOnSubgraph(subgraph, `{ me { email } }`);
    expect(anonymous).toEqual({ data: { me: null } });
  });

  it("when a customer asks for another user, then it reads as not existing; an admin sees them", async () => {
    const adminId = (admin as { userId: string }).userId;
    const asCustomer = await executeOnSubgraph(subgraph, `query ($id: ID!) { user(id: $id) { email } }`, { caller: alice, variables: { id: adminId } });
    expect(asCustomer).toEqual({ data: { user: null } });
    const aliceId = (alice as { userId: string }).userId;
    const asAdmin = await executeOnSubgraph(subgraph, `query ($id: ID!) { user(id: $id) { email } }`, { caller: admin, variables: { id: aliceId } });
    expect(asAdmin.data).toEqual({ user: { email: "alice@example.com" } });
  });

  it("when an admin pages through users, then every user appears once, newest first", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof executeOnSubgraph<{ users: { edges: { node: { email: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number } }>>> =
        await executeOnSubgraph(subgraph, `query ($after: String) { users(first: 2, after: $after) { edges { node { email } } pageInfo { hasNextPage endCursor } totalCount } }`, {
          caller: admin,
          variables: { after },
        });
      expect(page.errors).toBeUndefined();
      seen.push(...page.data!.users.edges.map((edge) => edge.node.email));
      if (!page.data!.users.pageInfo.hasNextPage) break;
      after = page.data!.users.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(await db.prisma.user.count());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("when a customer lists users, then it is FORBIDDEN; anonymous is UNAUTHENTICATED", async () => {
    expect(errorCodes(await executeOnSubgraph(subgraph, `{ users { totalCount } }`, { caller: alice }))).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await executeOnSubgraph(subgraph, `{ users { totalCount } }`))).toEqual(["UNAUTHENTICATED"]);
  });

  it("when the gateway resolves User entities, then _entities returns them in order, and null for unknown ids", async () => {
    const aliceId = (alice as { userId: string }).userId;
    const result = await executeOnSubgraph(subgraph, `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id email name } } }`, {
      variables: {
        representations: [
          { __typename: "User", id: aliceId },
          { __typename: "User", id: "00000000-0000-0000-0000-000000000000" },
          { __typename: "User", id: "not-a-uuid" },
        ],
      },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ _entities: [{ id: aliceId, email: "alice@example.com", name: "Alice Martin" }, null, null] });
  });

  it("when a cursor was not issued by the API, then it is BAD_USER_INPUT", async () => {
    const result = await executeOnSubgraph(subgraph, `{ users(after: "garbage") { totalCount } }`, { caller: admin });
    expect(errorCodes(result)).toEqual(["BAD_USER_INPUT"]);
  });
});
