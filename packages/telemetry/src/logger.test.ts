import { afterEach, describe, expect, it } from "vitest";
import { ambientRequestContext, REQUEST_ID_HEADER, requestIdFrom, runWithRequestContext, useAmbientRequestContext } from "./context.ts";
import { loggerSettingsFrom } from "./env.ts";
import { childLogger, forRequest, logger, registerSecret, scrub } from "./logger.ts";
import { captureLogs, type CapturedLogs } from "./testing.ts";

let logs: CapturedLogs;
afterEach(() => logs?.restore());

describe("logger", () => {
  it("when a line is written for a request without tracing, then it carries the request id, operation and component", async () => {
    expect(ambientRequestContext()).toBe(false);
    logs = captureLogs();
    const request = { requestId: "req-0", operationName: "MyOrders" };
    const log = childLogger("orders");
    await Promise.resolve();
    forRequest(log, request).error("compensation failed");
    log.info("outside");
    expect(logs.lines[0]).toMatchObject({ level: "error", component: "orders", requestId: "req-0", operation: "MyOrders", msg: "compensation failed" });
    expect(logs.lines[1]).not.toHaveProperty("requestId");
  });

  // The ambient context, once on, stays on in this process (startTracing turns it on); no later test needs it off.
  it("when tracing keeps an ambient request context, then a line written anywhere inside the request carries its id once", async () => {
    useAmbientRequestContext();
    logs = captureLogs();
    await runWithRequestContext({ requestId: "req-1" }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      childLogger("gateway").info("served");
      forRequest(childLogger("gateway"), { requestId: "req-1" }).info("served explicitly");
    });
    logger.info("outside");
    expect(logs.lines[0]).toMatchObject({ level: "info", component: "gateway", requestId: "req-1", msg: "served" });
    expect(logs.lines[1]).toMatchObject({ requestId: "req-1", msg: "served explicitly" });
    // The ambient context already names the request: no child logger (and no second requestId key) for it.
    const gateway = childLogger("gateway");
    expect(forRequest(gateway, { requestId: "req-1" })).toBe(gateway);
    expect(logs.lines[2]).not.toHaveProperty("requestId");
  });

  it("when secrets are logged by key, by value or inside a message, then none of them is written", () => {
    registerSecret("a-registered-secret-value");
    logs = captureLogs();
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    logger.warn(
      {
        headers: { authorization: `Bearer ${jwt}`, "x-monograph-caller": jwt, "content-type": "application/json" },
        variables: { input: { email: "alice@example.com", password: "alice-password-1" } },
        config: { JWT_SECRET: "x".repeat(20) },
        refreshToken: "r-0123456789",
      },
      `failed with a-registered-secret-value and Bearer ${jwt} at postgresql://postgres:hunter22@db:5432/x`,
    );
    const line = JSON.stringify(logs.lines[0]);
    for (const secret of [jwt, "alice-password-1", "x".repeat(20), "r-0123456789", "a-registered-secret-value", "hunter22"]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain("alice@example.com");
    expect(line).toContain("application/json");
  });

  it("scrub leaves ordinary text alone", () => {
    expect(scrub('{"msg":"served MyOrders in 3 ms"}')).toBe('{"msg":"served MyOrders in 3 ms"}');
  });
});

describe("settings", () => {
  it("when NODE_ENV is development or unset, then lines are pretty; otherwise JSON; LOG_LEVEL is honoured", () => {
    expect(loggerSettingsFrom({})).toEqual({ level: "info", format: "pretty" });
    expect(loggerSettingsFrom({ NODE_ENV: "production", LOG_LEVEL: "debug" })).toEqual({ level: "debug", format: "json" });
    expect(loggerSettingsFrom({ NODE_ENV: "production", LOG_FORMAT: "pretty" }).format).toBe("pretty");
    expect(loggerSettingsFrom({ LOG_LEVEL: "loud" }).level).toBe("info");
  });
});

describe("request ids", () => {
  it("when the caller's id is sane it is kept, otherwise a new one is made", () => {
    expect(REQUEST_ID_HEADER).toBe("x-request-id");
    expect(requestIdFrom("abc-123")).toBe("abc-123");
    expect(requestIdFrom(["first", "second"])).toBe("first");
    for (const insane of ["", "a b", "x".repeat(129), "<script>", "line\nbreak"]) {
      expect(requestIdFrom(insane)).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});
