import { decodeJwt, jwtVerify, SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ANONYMOUS, bodyHash, callerFromAuthorization, isAdmin, issueUserToken, signRequest, verifyRequest, verifyUserToken, type Caller } from "./identity.ts";

const INTERNAL_SECRET = "identity-test-internal-secret-0123";
const JWT_SECRET = "identity-test-jwt-secret-0123456789";
const OTHER_SECRET = "someone-elses-secret-0123456789";

const ADMIN: Caller = { kind: "user", userId: "u-admin", role: "ADMIN" };
const CUSTOMER: Caller = { kind: "user", userId: "u-1", role: "CUSTOMER" };
const ORDERS: Caller = { kind: "service", service: "orders" };

const key = (secret: string) => new TextEncoder().encode(secret);

/** One fetch from the gateway to a subgraph, as the signature binds it. */
const REQUEST = { method: "POST", body: '{"query":"query ($id: ID!) { user(id: $id) { email } }","variables":{"id":"u-1"}}' };
const BINDING = { htm: REQUEST.method, bh: bodyHash(REQUEST.body) };

/** Rewrites the payload of a signed JWT and keeps the original signature, as an attacker would. */
function tamper(token: string, change: (payload: Record<string, any>) => void): string {
  const [header, payload, signature] = token.split(".");
  const decoded = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<string, any>;
  change(decoded);
  return [header, Buffer.from(JSON.stringify(decoded)).toString("base64url"), signature].join(".");
}

/** An unsigned token (`alg: none`) carrying the given payload. */
function unsigned(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode(payload)}.`;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the signed caller header (gateway → subgraph)", () => {
  it.each([
    ["a customer", CUSTOMER],
    ["an admin", ADMIN],
    ["a service", ORDERS],
    ["the anonymous caller", ANONYMOUS],
  ])("when %s is signed with the internal secret, then verifying gives the same caller back", async (_label, caller) => {
    const header = await signRequest(INTERNAL_SECRET, caller, REQUEST);
    expect(await verifyRequest(INTERNAL_SECRET, header, REQUEST)).toEqual(caller);
  });

  it("when a caller carries extra fields, then only the known fields come back", async () => {
    const header = await signRequest(INTERNAL_SECRET, { ...CUSTOMER, isAdmin: true } as unknown as Caller, REQUEST);
    expect(await verifyRequest(INTERNAL_SECRET, header, REQUEST)).toEqual(CUSTOMER);
  });

  it("when the header is signed with another secret, then it is refused", async () => {
    const forged = await signRequest(OTHER_SECRET, ADMIN, REQUEST);
    expect(await verifyRequest(INTERNAL_SECRET, forged, REQUEST)).toBeNull();
  });

  it("when a genuine header's payload is tampered with, then it is refused", async () => {
    const genuine = await signRequest(INTERNAL_SECRET, CUSTOMER, REQUEST);
    const escalated = tamper(genuine, (payload) => {
      payload.caller = { ...payload.caller, role: "ADMIN" };
    });
    expect(await verifyRequest(INTERNAL_SECRET, escalated, REQUEST)).toBeNull();
  });

  it("when the header is an unsigned (alg: none) token, then it is refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsigned({ caller: ADMIN, aud: "monograph-subgraph", iat: now, exp: now + 60, htm: REQUEST.method, bh: bodyHash(REQUEST.body) });
    expect(await verifyRequest(INTERNAL_SECRET, token, REQUEST)).toBeNull();
  });

  it("when the header is older than its 30 s lifetime, then it is refused", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const header = await signRequest(INTERNAL_SECRET, ADMIN, REQUEST);

    vi.setSystemTime(new Date("2030-01-01T00:00:30Z"));
    expect(await verifyRequest(INTERNAL_SECRET, header, REQUEST)).toEqual(ADMIN);

    // 30 s of life, and 5 s for clocks that differ between machines.
    vi.setSystemTime(new Date("2030-01-01T00:00:36Z"));
    expect(await verifyRequest(INTERNAL_SECRET, header, REQUEST)).toBeNull();
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["empty", ""],
    ["garbage", "not-a-jwt"],
    ["three dots of garbage", "a.b.c"],
  ])("when the header is %s, then it is refused", async (_label, value) => {
    expect(await verifyRequest(INTERNAL_SECRET, value, REQUEST)).toBeNull();
  });

  it.each([
    ["a user without a userId", { kind: "user", role: "ADMIN" }],
    ["a user with an unknown role", { kind: "user", userId: "u-1", role: "SUPERUSER" }],
    ["a service without a name", { kind: "service" }],
    ["an unknown kind", { kind: "root" }],
  ])("when a correctly signed header names %s, then it is refused", async (_label, caller) => {
    const header = await signRequest(INTERNAL_SECRET, caller as unknown as Caller, REQUEST);
    expect(await verifyRequest(INTERNAL_SECRET, header, REQUEST)).toBeNull();
  });

  it("when a token signed with the internal secret names a caller but was issued for another audience, then it is refused", async () => {
    const { aud } = decodeJwt((await issueUserToken(INTERNAL_SECRET, { id: "u-1", role: "CUSTOMER" }, 60)).token);
    const token = await new SignJWT({ caller: ADMIN, ...BINDING }).setProtectedHeader({ alg: "HS256" }).setAudience(aud!).setIssuedAt().setExpirationTime("1m").sign(key(INTERNAL_SECRET));
    expect(await verifyRequest(INTERNAL_SECRET, token, REQUEST)).toBeNull();
  });

  it("when a caller header signed with the internal secret has no expiry, then it is refused", async () => {
    const { aud } = decodeJwt(await signRequest(INTERNAL_SECRET, ADMIN, REQUEST));
    const token = await new SignJWT({ caller: ADMIN, ...BINDING }).setProtectedHeader({ alg: "HS256" }).setAudience(aud!).setIssuedAt().sign(key(INTERNAL_SECRET));
    expect(await verifyRequest(INTERNAL_SECRET, token, REQUEST)).toBeNull();
  });

  it("when a user's bearer token is replayed as the caller header, then it is refused, even if both secrets are equal", async () => {
    const { token } = await issueUserToken(INTERNAL_SECRET, { id: "u-admin", role: "ADMIN" }, 60);
    expect(await verifyRequest(INTERNAL_SECRET, token, REQUEST)).toBeNull();
  });
  it("when a genuine header is sent with another body (another query, other variables), then it is refused", async () => {
    const header = await signRequest(INTERNAL_SECRET, ADMIN, REQUEST);
    expect(await verifyRequest(INTERNAL_SECRET, header, { method: "POST", body: Buffer.from(REQUEST.body) })).toEqual(ADMIN);
    for (const body of ['{"query":"{ users { edges { node { email } } } }"}', REQUEST.body.replace("u-1", "u-2"), `${REQUEST.body} `, ""]) {
      expect(await verifyRequest(INTERNAL_SECRET, header, { method: "POST", body }), body).toBeNull();
    }
    expect(await verifyRequest(INTERNAL_SECRET, header, { method: "GET", body: REQUEST.body })).toBeNull();
  });

  it("when a process still signing with jose sends a header, then it is accepted, and jose reads the header signed now", async () => {
    // The HMAC of node:crypto replaced jose's WebCrypto (issue 12): during a rolling deploy both sign for each other.
    const { aud } = decodeJwt(await signRequest(INTERNAL_SECRET, ADMIN, REQUEST));
    const byJose = await new SignJWT({ caller: ADMIN, ...BINDING }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setAudience(aud!).setIssuedAt().setExpirationTime("30s").sign(key(INTERNAL_SECRET));
    expect(await verifyRequest(INTERNAL_SECRET, byJose, REQUEST)).toEqual(ADMIN);
    const { payload } = await jwtVerify(await signRequest(INTERNAL_SECRET, ADMIN, REQUEST), key(INTERNAL_SECRET), { audience: aud!, algorithms: ["HS256"] });
    expect(payload).toMatchObject({ caller: ADMIN, ...BINDING });
  });

  it("when a correctly signed header asks for extensions the verifier does not know (crit), then it is refused", async () => {
    const { aud } = decodeJwt(await signRequest(INTERNAL_SECRET, ADMIN, REQUEST));
    const token = await new SignJWT({ caller: ADMIN, ...BINDING })
      .setProtectedHeader({ alg: "HS256", crit: ["x-monograph"], "x-monograph": true })
      .setAudience(aud!)
      .setIssuedAt()
      .setExpirationTime("30s")
      .sign(key(INTERNAL_SECRET), { crit: { "x-monograph": true } });
    expect(await verifyRequest(INTERNAL_SECRET, token, REQUEST)).toBeNull();
  });

  it("when a header claims a long life but was issued more than 60 s ago, or has no issue time, then it is refused", async () => {
    const { aud } = decodeJwt(await signRequest(INTERNAL_SECRET, ADMIN, REQUEST));
    const now = Math.floor(Date.now() / 1000);
    const old = await new SignJWT({ caller: ADMIN, ...BINDING }).setProtectedHeader({ alg: "HS256" }).setAudience(aud!).setIssuedAt(now - 120).setExpirationTime(now + 3600).sign(key(INTERNAL_SECRET));
    expect(await verifyRequest(INTERNAL_SECRET, old, REQUEST)).toBeNull();
    const undated = await new SignJWT({ caller: ADMIN, ...BINDING }).setProtectedHeader({ alg: "HS256" }).setAudience(aud!).setExpirationTime(now + 30).sign(key(INTERNAL_SECRET));
    expect(await verifyRequest(INTERNAL_SECRET, undated, REQUEST)).toBeNull();
  });
});

describe("users' bearer tokens", () => {
  it("when a user signs in and sends `Authorization: Bearer <token>`, then the caller is that user", async () => {
    const { token } = await issueUserToken(JWT_SECRET, { id: "u-1", role: "CUSTOMER" }, 3600);
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${token}`)).toEqual(CUSTOMER);
    expect(await verifyUserToken(JWT_SECRET, token)).toEqual(CUSTOMER);
  });

  it("when the token belongs to an admin, then the caller is an admin", async () => {
    const { token } = await issueUserToken(JWT_SECRET, { id: "u-admin", role: "ADMIN" }, 3600);
    const caller = await callerFromAuthorization(JWT_SECRET, `Bearer ${token}`);
    expect(caller).toEqual(ADMIN);
    expect(isAdmin(caller)).toBe(true);
  });

  it("when the scheme is written in another case, then the token is still read", async () => {
    const { token } = await issueUserToken(JWT_SECRET, { id: "u-1", role: "CUSTOMER" }, 3600);
    expect(await callerFromAuthorization(JWT_SECRET, `bearer ${token}`)).toEqual(CUSTOMER);
  });

  it("when a token is issued, then it expires after its time to live and says so", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const { token, expiresAt } = await issueUserToken(JWT_SECRET, { id: "u-1", role: "CUSTOMER" }, 3600);
    expect(expiresAt).toEqual(new Date("2030-01-01T01:00:00Z"));
    expect(decodeJwt(token).exp).toBe(expiresAt.getTime() / 1000);

    vi.setSystemTime(new Date("2030-01-01T00:59:59Z"));
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${token}`)).toEqual(CUSTOMER);
    vi.setSystemTime(new Date("2030-01-01T01:00:01Z"));
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${token}`)).toEqual(ANONYMOUS);
  });

  it("when the token has already expired, then the caller is anonymous", async () => {
    const { token } = await issueUserToken(JWT_SECRET, { id: "u-admin", role: "ADMIN" }, -10);
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${token}`)).toEqual(ANONYMOUS);
    expect(await verifyUserToken(JWT_SECRET, token)).toBeNull();
  });

  it("when the token is signed with another secret, then the caller is anonymous", async () => {
    const { token } = await issueUserToken(OTHER_SECRET, { id: "u-admin", role: "ADMIN" }, 3600);
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${token}`)).toEqual(ANONYMOUS);
  });

  it("when a customer's token is edited to say ADMIN, then the caller is anonymous", async () => {
    const { token } = await issueUserToken(JWT_SECRET, { id: "u-1", role: "CUSTOMER" }, 3600);
    const escalated = tamper(token, (payload) => {
      payload.role = "ADMIN";
    });
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${escalated}`)).toEqual(ANONYMOUS);
  });

  it("when the token is unsigned (alg: none), then the caller is anonymous", async () => {
    const { token } = await issueUserToken(JWT_SECRET, { id: "u-admin", role: "ADMIN" }, 3600);
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${unsigned(decodeJwt(token))}`)).toEqual(ANONYMOUS);
  });

  it("when the token is signed with the right secret but another algorithm, then the caller is anonymous", async () => {
    const { iss, aud } = decodeJwt((await issueUserToken(JWT_SECRET, { id: "u-1", role: "CUSTOMER" }, 60)).token);
    const token = await new SignJWT({ role: "ADMIN" })
      .setProtectedHeader({ alg: "HS512" })
      .setSubject("u-admin")
      .setIssuer(iss!)
      .setAudience(aud!)
      .setExpirationTime("1h")
      .sign(key(JWT_SECRET));
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${token}`)).toEqual(ANONYMOUS);
  });

  it("when a token signed with the right secret was not issued as a user token (no issuer or audience), then the caller is anonymous", async () => {
    const token = await new SignJWT({ role: "ADMIN" }).setProtectedHeader({ alg: "HS256" }).setSubject("u-admin").setExpirationTime("1h").sign(key(JWT_SECRET));
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${token}`)).toEqual(ANONYMOUS);
  });

  it.each([
    ["no role", { sub: "u-1" }],
    ["an unknown role", { sub: "u-1", role: "ROOT" }],
    ["no subject", { role: "ADMIN" }],
  ])("when a token otherwise issued like a user token has %s, then the caller is anonymous", async (_label, claims) => {
    const { iss, aud } = decodeJwt((await issueUserToken(JWT_SECRET, { id: "u-1", role: "CUSTOMER" }, 60)).token);
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuer(iss!).setAudience(aud!).setExpirationTime("1h").sign(key(JWT_SECRET));
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${token}`)).toEqual(ANONYMOUS);
  });

  it("when the gateway's caller header is sent as a bearer token, then the caller is anonymous, even if both secrets are equal", async () => {
    const header = await signRequest(JWT_SECRET, ADMIN, REQUEST);
    expect(await callerFromAuthorization(JWT_SECRET, `Bearer ${header}`)).toEqual(ANONYMOUS);
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["empty", ""],
    ["a bare scheme", "Bearer"],
    ["a bare scheme and a space", "Bearer "],
    ["another scheme", "Basic dXNlcjpwYXNz"],
    ["a malformed token", "Bearer not.a.jwt"],
    ["two tokens", "Bearer a b"],
  ])("when the Authorization header is %s, then the caller is anonymous", async (_label, authorization) => {
    expect(await callerFromAuthorization(JWT_SECRET, authorization)).toEqual(ANONYMOUS);
  });
});

describe("isAdmin", () => {
  it("when the caller is a customer, a service or anonymous, then it is not an admin", () => {
    expect([CUSTOMER, ORDERS, ANONYMOUS].map(isAdmin)).toEqual([false, false, false]);
    expect(isAdmin(ADMIN)).toBe(true);
  });
});

describe("sessions in access tokens", () => {
  it("when an access token names its session, then the caller carries it, through the gateway's signed header too", async () => {
    const { token } = await issueUserToken(JWT_SECRET, { id: "u-1", role: "CUSTOMER" }, 900, { sessionId: "s-1" });
    const caller = await verifyUserToken(JWT_SECRET, token);
    expect(caller).toEqual({ kind: "user", userId: "u-1", role: "CUSTOMER", sessionId: "s-1" });
    const header = await signRequest(INTERNAL_SECRET, caller!, REQUEST);
    expect(await verifyRequest(INTERNAL_SECRET, header, REQUEST)).toEqual(caller);
  });

  it("when an access token is issued at a given time, then it is accepted until its lifetime is over, not after", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const { token, expiresAt } = await issueUserToken(JWT_SECRET, { id: "u-1", role: "ADMIN" }, 900, { now });
    expect(expiresAt).toEqual(new Date("2030-01-01T00:15:00Z"));
    expect(await verifyUserToken(JWT_SECRET, token, { now: new Date("2030-01-01T00:14:59Z") })).toMatchObject({ role: "ADMIN" });
    expect(await verifyUserToken(JWT_SECRET, token, { now: new Date("2030-01-01T00:15:01Z") })).toBeNull();
  });
});
