import { captureLogs } from "@monograph/platform/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadDomainProcessEnv, loadGatewayConfig } from "./env.ts";

// The gateway library's plugins take their settings as arguments; reading them from the environment is the app's
// job, so the configuration cases live beside env.ts.
const MINUTE = 60_000;

describe("OPERATIONS", () => {
  afterEach(() => vi.restoreAllMocks());
  const secrets = { JWT_SECRET: "a-real-production-jwt-secret-0123", INTERNAL_SECRET: "a-real-production-internal-secret-0123" };

  it("when it is not set, then production runs the safelist and every other environment is open; it can be set either way", () => {
    expect(loadGatewayConfig({ ...secrets, NODE_ENV: "production" }).operations).toBe("safelist");
    expect(loadGatewayConfig({ NODE_ENV: "development" }).operations).toBe("open");
    expect(loadGatewayConfig({ NODE_ENV: "test" }).operations).toBe("open");
    expect(loadGatewayConfig({ ...secrets, NODE_ENV: "production", OPERATIONS: "open" }).operations).toBe("open");
    expect(loadGatewayConfig({ NODE_ENV: "development", OPERATIONS: "safelist" }).operations).toBe("safelist");
  });

  it("when it has another value, then the gateway refuses to start, naming the variable", () => {
    const exit = vi.spyOn(process, "exit").mockImplementation(() => {
      throw new Error("exited");
    });
    const logs = captureLogs();
    try {
      expect(() => loadGatewayConfig({ OPERATIONS: "anything" })).toThrow("exited");
    } finally {
      logs.restore();
    }
    expect(exit).toHaveBeenCalledWith(1);
    expect(logs.matching("invalid configuration").map((line) => String(line.msg)).join("\n")).toContain("OPERATIONS");
  });
});

describe("the throttle's configuration", () => {
  const base = { NODE_ENV: "test" };

  it("when nothing is set, then the defaults refuse a burst well before its 40th wrong sign-in, and X-Forwarded-For is not trusted", () => {
    const { throttle } = loadGatewayConfig(base);
    expect(throttle.limits).toEqual({
      signInPerAddress: { limit: 20, windowMs: MINUTE },
      signInPerAccount: { limit: 10, windowMs: 15 * MINUTE },
      signUpPerAddress: { limit: 10, windowMs: 60 * MINUTE },
    });
    expect(throttle.trustProxy).toEqual({ kind: "none" });
    expect(throttle.store).toEqual({ redisUrl: undefined, keyPrefix: "monograph:throttle:", maxKeys: 100_000 });
  });

  it("when limits, a proxy and Redis are configured, then they are parsed", () => {
    const { throttle } = loadGatewayConfig({
      ...base,
      SIGN_IN_ADDRESS_LIMIT: "30/90s",
      SIGN_IN_ACCOUNT_LIMIT: "off",
      SIGN_UP_ADDRESS_LIMIT: "3/2h",
      TRUST_PROXY: "2",
      REDIS_URL: "redis://127.0.0.1:6379/0",
      THROTTLE_KEY_PREFIX: "staging:",
    });
    expect(throttle.limits).toEqual({ signInPerAddress: { limit: 30, windowMs: 90_000 }, signInPerAccount: undefined, signUpPerAddress: { limit: 3, windowMs: 2 * 60 * MINUTE } });
    expect(throttle.trustProxy).toEqual({ kind: "hops", hops: 2 });
    expect(throttle.store).toMatchObject({ redisUrl: "redis://127.0.0.1:6379/0", keyPrefix: "staging:" });
  });

  it.each([
    ["SIGN_IN_ADDRESS_LIMIT", "20"],
    ["SIGN_IN_ACCOUNT_LIMIT", "0/1m"],
    ["SIGN_UP_ADDRESS_LIMIT", "5/100ms"],
    ["TRUST_PROXY", "true"],
    ["TRUST_PROXY", "10.0.0.0/33"],
    ["REDIS_URL", "http://127.0.0.1:6379"],
  ])("when %s=%s, then the gateway refuses to start", (name, value) => {
    const exit = vi.spyOn(process, "exit").mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const logs = captureLogs();
    try {
      expect(() => loadGatewayConfig({ ...base, [name]: value })).toThrow("exit 1");
      expect(logs.matching("invalid configuration").map((line) => String(line.msg)).join("\n")).toContain(name);
    } finally {
      exit.mockRestore();
      logs.restore();
    }
  });
});

describe("one domain's process (run-domain.ts)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("when NATS_URL and EVENTS_PREFIX are unset, then it uses the local NATS and no prefix; when set, their values", () => {
    expect(loadDomainProcessEnv({}, "orders-subgraph")).toEqual({ natsUrl: "nats://127.0.0.1:4222", eventsPrefix: undefined, providerUrls: {} });
    expect(loadDomainProcessEnv({ NATS_URL: "nats://nats:4222", EVENTS_PREFIX: "ci_1-a", INVENTORY_URL: "http://inventory:4002" }, "orders-subgraph")).toEqual({
      natsUrl: "nats://nats:4222",
      eventsPrefix: "ci_1-a",
      providerUrls: { inventory: "http://inventory:4002" },
    });
  });

  it("when EVENTS_PREFIX is not a name NATS accepts in a stream, or a domain's URL is not a URL, then it refuses to start, naming each", () => {
    const exit = vi.spyOn(process, "exit").mockImplementation(() => {
      throw new Error("exited");
    });
    const logs = captureLogs();
    try {
      expect(() => loadDomainProcessEnv({ EVENTS_PREFIX: "a.b", ORDERS_URL: "not a url" }, "inventory-subgraph")).toThrow("exited");
    } finally {
      logs.restore();
    }
    expect(exit).toHaveBeenCalledWith(1);
    const problems = logs.matching("invalid configuration").map((line) => String(line.msg)).join("\n");
    expect(problems).toContain("EVENTS_PREFIX");
    expect(problems).toContain("ORDERS_URL");
  });
});
