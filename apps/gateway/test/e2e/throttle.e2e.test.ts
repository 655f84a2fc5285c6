import { testDatabaseKind } from "@monograph/db/testing";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteKeysUnder, keysUnder, redisForTests, TEST_REDIS_URL, uniqueKeyPrefix } from "../support/redis.ts";
import { THROTTLE_DEFAULTS } from "../../src/env.ts";
import { startShape, type RunningShape } from "../support/shapes.ts";

// Sign-in and sign-up throttling as a client meets it, over real HTTP against the running monolith: bursts of wrong
// passwords, aliased attempts, sign-ups, and two gateway replicas sharing their counters through Redis.

// @apollo/gateway reads this when it is constructed: no cloud metadata probes, no usage reports.
process.env.APOLLO_TELEMETRY_DISABLED = "true";

const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { token } }`;
const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token } }`;
// Two monoliths start at once below; on a loaded 2-core machine that takes a while.
const STARTUP_TIMEOUT = 240_000;
const seeded = (email: string) => SEEDED_USERS.find((user) => user.email === email)!;

interface Answer {
  status: number;
  retryAfter: string | null;
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function post(graphqlUrl: string, body: unknown, forwardedFor?: string): Promise<Answer> {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), ...((await response.json()) as object) };
}

const signIn = (graphqlUrl: string, email: string, password: string, from?: string) => post(graphqlUrl, { query: SIGN_IN, variables: { input: { email, password } } }, from);
const codeOf = (answer: Answer) => answer.errors?.[0]?.extensions?.code;

function expectRateLimited(answer: Answer) {
  expect(answer.status).toBe(429);
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(answer.errors).toEqual([{ message: expect.any(String), extensions: { code: "RATE_LIMITED", retryAfterSeconds: Number(answer.retryAfter) } }]);
  expect(answer.data).toBeUndefined();
}

describe(`sign-in throttling in the monolith, default limits (${testDatabaseKind()})`, () => {
  let api: RunningShape;
  // Behind one trusted proxy, so each test can speak from addresses of its own through X-Forwarded-For.
  beforeAll(async () => {
    api = await startShape("monolith", { TRUST_PROXY: "1", ...THROTTLE_DEFAULTS });
  }, STARTUP_TIMEOUT);
  afterAll(async () => {
    await api?.stop();
  });

  it("when 40 wrong passwords for one account come one after another, then from the 11th on, the 40th included, each gets 429 with Retry-After and RATE_LIMITED", async () => {
    const bob = seeded("bob@example.com");
    const answers: Answer[] = [];
    for (let i = 0; i < 40; i += 1) answers.push(await signIn(api.graphqlUrl, bob.email, `not-bobs-password-${i}`, "198.51.100.10"));
    expect(answers.slice(0, 10).map(codeOf)).toEqual(Array(10).fill("UNAUTHENTICATED"));
    for (const answer of answers.slice(10)) expectRateLimited(answer);
  });

  it("when 40 wrong sign-ins from one address arrive at once, then 20 are checked, the rest get 429, and another account from another address still signs in", async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn(api.graphqlUrl, `guess-${i}@example.com`, "wrong-password-1", "198.51.100.20")));
    const checked = answers.filter((answer) => codeOf(answer) === "UNAUTHENTICATED").length;
    // 20 a minute. A burst that happens to straddle a minute boundary may see one more: the sliding window's
    // estimate of the previous minute shrinks while the burst lasts.
    expect(checked).toBeGreaterThanOrEqual(20);
    expect(checked).toBeLessThanOrEqual(21);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(40 - checked);
    for (const answer of refused) expectRateLimited(answer);

    const alice = seeded("alice@example.com");
    const ok = await signIn(api.graphqlUrl, alice.email, alice.password, "198.51.100.21");
    expect(ok.status).toBe(200);
    expect(ok.data?.signIn.token).toEqual(expect.any(String));
  });

  it("when wrong passwords for one account come from ten addresses, then the account is held from every address until its window passes", async () => {
    const chloe = seeded("chloe@example.com");
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => signIn(api.graphqlUrl, chloe.email, "wrong-password-1", `203.0.113.${i + 1}`)));
    expect(answers.map(codeOf)).toEqual(Array(10).fill("UNAUTHENTICATED"));
    expectRateLimited(await signIn(api.graphqlUrl, chloe.email, "wrong-password-1", "203.0.113.50"));
    // Capitalisation is no way around it: the account is its normalised email.
    expectRateLimited(await signIn(api.graphqlUrl, " Chloe@Example.COM ", "wrong-password-1", "203.0.113.51"));
    // The account's own password too, for now: attempts are counted before the password is checked (ADR 0010).
    expectRateLimited(await signIn(api.graphqlUrl, chloe.email, chloe.password, "203.0.113.52"));
  });

  it("when one document holds several aliased sign-ins, then each counts against the address, and one with more than are left is refused whole", async () => {
    const from = "198.51.100.30";
    const aliased = (batch: number) => ({
      query: `mutation { ${Array.from({ length: 8 }, (_, i) => `a${i}: signIn(input: { email: "alias-${batch}-${i}@example.com", password: "wrong-password-1" }) { token }`).join(" ")} }`,
    });
    for (const batch of [1, 2]) {
      const answer = await post(api.graphqlUrl, aliased(batch), from);
      expect(answer.status).toBe(200);
      expect(codeOf(answer)).toBe("UNAUTHENTICATED");
    }
    // 16 of 20 used: 8 more do not fit, and none of them runs.
    expectRateLimited(await post(api.graphqlUrl, aliased(3), from));
    // The refused document took nothing: one more sign-in still fits.
    const alice = seeded("alice@example.com");
    expect((await signIn(api.graphqlUrl, alice.email, alice.password, from)).data?.signIn.token).toEqual(expect.any(String));
  });

  it("when one address signs up again and again, then the 11th attempt within the hour gets 429, and another address still signs up", async () => {
    const from = "198.51.100.40";
    for (let i = 0; i < 10; i += 1) {
      const weak = await post(api.graphqlUrl, { query: SIGN_UP, variables: { input: { email: `weak-${i}@example.com`, password: "short", name: "W" } } }, from);
      expect(codeOf(weak)).toBe("BAD_USER_INPUT");
    }
    const input = { email: `throttled-signup-${Date.now()}@example.com`, password: "long-enough-1", name: "New" };
    expectRateLimited(await post(api.graphqlUrl, { query: SIGN_UP, variables: { input } }, from));
    const elsewhere = await post(api.graphqlUrl, { query: SIGN_UP, variables: { input } }, "198.51.100.41");
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.data?.signUp.token).toEqual(expect.any(String));
  });
});

const redis = await redisForTests("the throttle's two-replica test");

describe.skipIf(redis.skip)(`sign-in throttling shared by two gateways through Redis (${testDatabaseKind()})`, () => {
  const keyPrefix = uniqueKeyPrefix();
  let first: RunningShape;
  let second: RunningShape;
  beforeAll(async () => {
    // No TRUST_PROXY: both see the test's socket address, 127.0.0.1, whatever X-Forwarded-For says.
    const env = { REDIS_URL: TEST_REDIS_URL, THROTTLE_KEY_PREFIX: keyPrefix, SIGN_IN_ACCOUNT_LIMIT: "3/15m", SIGN_IN_ADDRESS_LIMIT: "6/1h" };
    [first, second] = await Promise.all([startShape("monolith", env), startShape("monolith", env)]);
  }, STARTUP_TIMEOUT);
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await deleteKeysUnder(keyPrefix);
  });

  it("when attempts alternate between the replicas, then the per-account and per-address limits hold across both, and X-Forwarded-For is not believed", async () => {
    const gateways = [first.graphqlUrl, second.graphqlUrl];
    const email = "shared-victim@example.com";
    for (let i = 0; i < 3; i += 1) expect(codeOf(await signIn(gateways[i % 2]!, email, "wrong-password-1"))).toBe("UNAUTHENTICATED");
    expectRateLimited(await signIn(gateways[1]!, email, "wrong-password-1"));
    expectRateLimited(await signIn(gateways[0]!, email, "wrong-password-1"));

    // Three attempts from 127.0.0.1 so far; three more fit, whatever address they claim, then none.
    for (let i = 0; i < 3; i += 1) expect(codeOf(await signIn(gateways[i % 2]!, `other-${i}@example.com`, "wrong-password-1", `192.0.2.${i + 1}`))).toBe("UNAUTHENTICATED");
    expectRateLimited(await signIn(gateways[1]!, "other-3@example.com", "wrong-password-1", "192.0.2.99"));

    // Redis holds counters under this test's prefix, and no email.
    const keys = await keysUnder(keyPrefix);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join("\n")).not.toMatch(/@|shared-victim/);
    expect(keys.join("\n")).toContain("sign-in:address:127.0.0.1");
  });

  it("when Redis is configured, then /ready checks it", async () => {
    const ready = await fetch(`${first.url}/ready`);
    expect(await ready.json()).toMatchObject({ checks: { throttle: "ok" } });
  });
});
