import { readFileSync } from "node:fs";
import { testDatabaseKind } from "@monograph/db/testing";
import { fromRepoRoot } from "@monograph/platform";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codesOf, graphqlClient, type GraphQLClient } from "../support/client.ts";
import { startShape, type RunningShape, type Shape } from "../support/shapes.ts";

// Sessions and sign-ups through the gateway, as the web client does them (its recorded operations), with users in
// the gateway's process and in a process of its own.
const operation = (file: string) => readFileSync(fromRepoRoot(`packages/schema/operations/web/${file}`), "utf8");
const SIGN_UP = operation("sign-up.graphql");
const SIGN_IN = operation("sign-in.graphql");
const ME = operation("me.graphql");
const REFRESH = operation("refresh-token.graphql");
const SIGN_OUT = operation("sign-out.graphql");
const CHANGE_PASSWORD = operation("change-password.graphql");
const USERS = operation("users.graphql");
const customer = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;

describe.each(["monolith", "distributed"] as Shape[])(`sessions and sign-ups in the %s shape (${testDatabaseKind()})`, (shape) => {
  let running: RunningShape;
  let api: GraphQLClient;
  const unique = (label: string) => `${label}-${shape}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;

  beforeAll(async () => {
    running = await startShape(shape);
    api = graphqlClient(running.graphqlUrl);
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("when ten sign-ups with one email arrive at once, then exactly one account is created and the nine others get CONFLICT", async () => {
    const input = { email: unique("same"), password: "race-password-1", name: "Racer" };
    const results = await Promise.all(Array.from({ length: 10 }, () => api.request(SIGN_UP, { input })));
    expect(results.filter((result) => !result.errors && result.data)).toHaveLength(1);
    expect(results.flatMap((result) => codesOf(result)).sort()).toEqual(Array(9).fill("CONFLICT"));
    expect(results.map((result) => result.status).filter((status) => status >= 500)).toEqual([]);
    expect((await api.request(SIGN_IN, { input: { email: input.email, password: input.password } })).errors).toBeUndefined();
  });

  it("when a client refreshes its session, then the new access token works, the used refresh token no longer does, and signing out ends the session", async () => {
    const { signIn } = await api.ok(SIGN_IN, { input: { email: customer.email, password: customer.password } });
    expect(new Date(signIn.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const { refreshToken: next } = await api.ok(REFRESH, { token: signIn.refreshToken });
    expect((await api.ok(ME, {}, next.token)).me.email).toBe(customer.email);
    expect(codesOf(await api.request(REFRESH, { token: signIn.refreshToken }))).toEqual(["UNAUTHENTICATED"]);

    // That reuse ended the session: sign in again, then sign out with the access token alone.
    const { signIn: again } = await api.ok(SIGN_IN, { input: { email: customer.email, password: customer.password } });
    expect(await api.ok(SIGN_OUT, {}, again.token)).toEqual({ signOut: true });
    expect(codesOf(await api.request(REFRESH, { token: again.refreshToken }))).toEqual(["UNAUTHENTICATED"]);
    expect(codesOf(await api.request(SIGN_OUT, {}))).toEqual(["UNAUTHENTICATED"]);
  });

  it("when the password changes, then the user's other sessions end and only the new password signs in", async () => {
    const email = unique("change");
    const { signUp } = await api.ok(SIGN_UP, { input: { email, password: "first-password-1", name: "Changer" } });
    const { signIn: laptop } = await api.ok(SIGN_IN, { input: { email, password: "first-password-1" } });
    const { changePassword } = await api.ok(CHANGE_PASSWORD, { currentPassword: "first-password-1", newPassword: "second-password-2" }, signUp.token);
    expect(codesOf(await api.request(REFRESH, { token: laptop.refreshToken }))).toEqual(["UNAUTHENTICATED"]);
    expect(codesOf(await api.request(REFRESH, { token: signUp.refreshToken }))).toEqual(["UNAUTHENTICATED"]);
    expect((await api.request(REFRESH, { token: changePassword.refreshToken })).errors).toBeUndefined();
    expect(codesOf(await api.request(SIGN_IN, { input: { email, password: "first-password-1" } }))).toEqual(["UNAUTHENTICATED"]);
    expect((await api.request(SIGN_IN, { input: { email, password: "second-password-2" } })).errors).toBeUndefined();
  });

  it.runIf(shape === "monolith")("when a user is made admin, then the next refresh gives an access token that admin operations accept", async () => {
    const email = unique("promoted");
    const { signUp } = await api.ok(SIGN_UP, { input: { email, password: "promoted-password-1", name: "Promoted" } });
    expect(codesOf(await api.request(USERS, { first: 5 }, signUp.token))).toEqual(["FORBIDDEN"]);
    await running.gateway.db!.prisma.user.update({ where: { email }, data: { role: "ADMIN" } });
    const { refreshToken } = await api.ok(REFRESH, { token: signUp.refreshToken });
    expect(refreshToken.user.role).toBe("ADMIN");
    expect((await api.request(USERS, { first: 5 }, refreshToken.token)).errors).toBeUndefined();
  });
});
