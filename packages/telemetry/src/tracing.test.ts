import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { propagationHeaders } from "./propagation.ts";
import { ambientRequestContext, runWithRequestContext } from "./context.ts";
import { currentTraceCarrier, inSpan, sqlSpan, startTracing, tracingEnabled } from "./tracing.ts";

describe("tracing without an OTLP endpoint", () => {
  it("when no endpoint is configured, then the SDK is not started and every helper just runs the work", async () => {
    expect(await startTracing("test", { OTEL_SERVICE_NAME: "x" })).toBe(false);
    expect(await startTracing("test", { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1", OTEL_SDK_DISABLED: "true" })).toBe(false);
    expect(tracingEnabled()).toBe(false);
    expect(await inSpan("work", {}, async (span) => span)).toBeUndefined();
    expect(await sqlSpan("SELECT 1", "select", async () => trace.getActiveSpan())).toBeUndefined();
    expect(currentTraceCarrier()).toBeUndefined();
  });

  it("when a request calls another process, then its request id goes along, and no trace header is invented", () => {
    expect(propagationHeaders({ requestId: "abc" })).toEqual({ "x-request-id": "abc" });
    expect(propagationHeaders()).toEqual({});
    // Without tracing there is no ambient request context (no AsyncLocalStorage): the caller hands the request on.
    expect(ambientRequestContext()).toBe(false);
    expect(runWithRequestContext({ requestId: "abc" }, () => propagationHeaders())).toEqual({});
  });
});
