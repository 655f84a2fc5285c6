import { createHash } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import type { DatabaseHandle } from "@monograph/db";
import { ANONYMOUS, verifyUserToken, type Caller } from "@monograph/platform";
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
    expect(caller).toEqual({ kind: "user", userId: result.data!.signUp.user.id, role: "CUSTOMER", sessionId: expect.any(String) });
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

  it("when the demo users are seeded, then they are listed newest first in the reverse of the README's order, in every database", async () => {
    const result = await executeOnSubgraph<{ users: { edges: { node: { email: string } }[] } }>(subgraph, `{ users(first: 100) { edges { node { email } } } }`, { caller: admin });
    const seeded = result.data!.users.edges.map((edge) => edge.node.email).filter((email) => SEEDED_USERS.some((user) => user.email === email));
    expect(seeded).toEqual(SEEDED_USERS.map((user) => user.email).reverse());
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

  describe("sessions: short access tokens, rotated refresh tokens", () => {
    const HOUR = 3600_000;
    let clock: Date;
    let sessions: ReturnType<typeof createUsersSubgraph>;
    const AUTH = `token expiresAt refreshToken refreshExpiresAt user { id email role }`;
    type Auth = { token: string; expiresAt: string; refreshToken: string; refreshExpiresAt: string; user: { id: string; email: string; role: string } };

    beforeAll(() => {
      clock = new Date();
      sessions = createUsersSubgraph({ db: db.prisma, jwtSecret: JWT_SECRET, now: () => clock });
    });

    const newUser = async (label: string, password = "a-strong-pass-1"): Promise<Auth> => {
      const email = `${label}-${Math.random().toString(36).slice(2)}@example.com`;
      const result = await executeOnSubgraph<{ signUp: Auth }>(sessions, `mutation ($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`, {
        variables: { input: { email, password, name: label } },
      });
      expect(result.errors).toBeUndefined();
      return result.data!.signUp;
    };
    const signIn = (email: string, password: string) =>
      executeOnSubgraph<{ signIn: Auth }>(sessions, `mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH} } }`, { variables: { input: { email, password } } });
    const refresh = (token: string) => executeOnSubgraph<{ refreshToken: Auth }>(sessions, `mutation ($token: String!) { refreshToken(token: $token) { ${AUTH} } }`, { variables: { token } });
    const signOut = (refreshToken: string | null, caller?: Caller) =>
      executeOnSubgraph<{ signOut: boolean }>(sessions, `mutation ($refreshToken: String) { signOut(refreshToken: $refreshToken) }`, { variables: { refreshToken }, caller });
    const changePassword = (caller: Caller, currentPassword: string, newPassword: string) =>
      executeOnSubgraph<{ changePassword: Auth }>(sessions, `mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { ${AUTH} } }`, {
        variables: { c: currentPassword, n: newPassword },
        caller,
      });
    type UserCaller = Extract<Caller, { kind: "user" }>;
    const callerOf = async (auth: Auth) => (await verifyUserToken(JWT_SECRET, auth.token, { now: clock })) as UserCaller;

    it("when a user signs in, then the access token lives 15 minutes and the refresh token 30 days, stored only as its sha256", async () => {
      const auth = await newUser("lifetimes");
      expect(new Date(auth.expiresAt).getTime() - clock.getTime()).toBe(15 * 60_000);
      expect(new Date(auth.refreshExpiresAt).getTime() - clock.getTime()).toBe(30 * 24 * HOUR);
      expect(auth.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const rows = await db.prisma.refreshToken.findMany({ where: { userId: auth.user.id } });
      expect(rows.map((row) => row.tokenHash)).toEqual([createHash("sha256").update(auth.refreshToken).digest("hex")]);
      expect(JSON.stringify(rows)).not.toContain(auth.refreshToken);
      // The access token is refused once its 15 minutes are over.
      expect(await verifyUserToken(JWT_SECRET, auth.token, { now: new Date(clock.getTime() + 15 * 60_000 + 1000) })).toBeNull();
    });

    it("when the refresh token is exchanged, then a new pair comes back and the old refresh token stops working", async () => {
      const first = await newUser("rotation");
      const second = await refresh(first.refreshToken);
      expect(second.errors).toBeUndefined();
      expect(second.data!.refreshToken.refreshToken).not.toBe(first.refreshToken);
      expect(second.data!.refreshToken.user.id).toBe(first.user.id);
      expect((await callerOf(second.data!.refreshToken)).sessionId).toBe((await callerOf(first)).sessionId);
      const third = await refresh(second.data!.refreshToken.refreshToken);
      expect(third.errors).toBeUndefined();
    });

    it("when an already exchanged refresh token is presented again, then it is refused and its whole session ends (reuse detection)", async () => {
      const first = await newUser("reuse");
      const second = (await refresh(first.refreshToken)).data!.refreshToken;
      const replayed = await refresh(first.refreshToken);
      expect(errorCodes(replayed)).toEqual(["UNAUTHENTICATED"]);
      // The thief replayed, or the user did: either way the legitimate successor no longer works.
      expect(errorCodes(await refresh(second.refreshToken))).toEqual(["UNAUTHENTICATED"]);
    });

    it("when one refresh token is presented twice at the same moment, then at most one refresh succeeds, and the session ends", async () => {
      const first = await newUser("race");
      const results = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);
      const succeeded = results.filter((result) => !result.errors);
      expect(succeeded.length).toBeLessThanOrEqual(1);
      expect(results.flatMap((result) => errorCodes(result))).toContain("UNAUTHENTICATED");
      for (const result of succeeded) expect(errorCodes(await refresh(result.data!.refreshToken.refreshToken))).toEqual(["UNAUTHENTICATED"]);
    });

    it("when a refresh token is unknown, malformed or past its 30 days, then it is UNAUTHENTICATED", async () => {
      const auth = await newUser("expiry");
      for (const token of ["", "garbage", "x".repeat(500)]) expect(errorCodes(await refresh(token))).toEqual(["UNAUTHENTICATED"]);
      const saved = clock;
      clock = new Date(saved.getTime() + 30 * 24 * HOUR + 1000);
      try {
        expect(errorCodes(await refresh(auth.refreshToken))).toEqual(["UNAUTHENTICATED"]);
      } finally {
        clock = saved;
      }
    });

    it("when a user signs out with a refresh token, then that session ends and their other sessions go on", async () => {
      const password = "a-strong-pass-1";
      const first = await newUser("sign-out", password);
      const other = (await signIn(first.user.email, password)).data!.signIn;
      expect((await signOut(first.refreshToken)).data).toEqual({ signOut: true });
      expect(errorCodes(await refresh(first.refreshToken))).toEqual(["UNAUTHENTICATED"]);
      expect((await refresh(other.refreshToken)).errors).toBeUndefined();
      // Signing out again, or with a token that was never ours, says the same and reveals nothing.
      expect((await signOut(first.refreshToken)).data).toEqual({ signOut: true });
      expect((await signOut("never-issued")).data).toEqual({ signOut: true });
    });

    it("when a signed-in user signs out without a token, then their current session ends; anonymous, it is UNAUTHENTICATED", async () => {
      const auth = await newUser("sign-out-session");
      expect((await signOut(null, await callerOf(auth))).data).toEqual({ signOut: true });
      expect(errorCodes(await refresh(auth.refreshToken))).toEqual(["UNAUTHENTICATED"]);
      expect(errorCodes(await signOut(null))).toEqual(["UNAUTHENTICATED"]);
    });

    it("when the password changes, then every session of the user ends, and the new password and the new session work", async () => {
      const first = await newUser("change", "old-password-1");
      const other = (await signIn(first.user.email, "old-password-1")).data!.signIn;
      const caller = await callerOf(first);

      const wrong = await changePassword(caller, "not-my-password-1", "new-password-22");
      expect(errorCodes(wrong)).toEqual(["BAD_USER_INPUT"]);
      expect(wrong.errors?.[0]?.extensions?.field).toBe("currentPassword");
      const weak = await changePassword(caller, "old-password-1", "short");
      expect(weak.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "newPassword" });
      expect(errorCodes(await changePassword(ANONYMOUS, "old-password-1", "new-password-22"))).toEqual(["UNAUTHENTICATED"]);

      const changed = await changePassword(caller, "old-password-1", "new-password-22");
      expect(changed.errors).toBeUndefined();
      expect(errorCodes(await refresh(first.refreshToken))).toEqual(["UNAUTHENTICATED"]);
      expect(errorCodes(await refresh(other.refreshToken))).toEqual(["UNAUTHENTICATED"]);
      expect((await refresh(changed.data!.changePassword.refreshToken)).errors).toBeUndefined();
      expect(errorCodes(await signIn(first.user.email, "old-password-1"))).toEqual(["UNAUTHENTICATED"]);
      expect((await signIn(first.user.email, "new-password-22")).errors).toBeUndefined();
    });

    it("when a user's role changes, then the next refresh issues an access token with the current role", async () => {
      const auth = await newUser("promoted");
      expect((await callerOf(auth)).role).toBe("CUSTOMER");
      await db.prisma.user.update({ where: { id: auth.user.id }, data: { role: "ADMIN" } });
      const refreshed = (await refresh(auth.refreshToken)).data!.refreshToken;
      expect(refreshed.user.role).toBe("ADMIN");
      expect((await callerOf(refreshed)).role).toBe("ADMIN");
    });

    it("when a user no longer exists, then their refresh token is refused", async () => {
      const auth = await newUser("deleted");
      await db.prisma.user.delete({ where: { id: auth.user.id } });
      expect(errorCodes(await refresh(auth.refreshToken))).toEqual(["UNAUTHENTICATED"]);
      expect(await db.prisma.refreshToken.count({ where: { userId: auth.user.id } })).toBe(0);
    });
  });
});
