import { describe, expect, it } from "vitest";
import { parseEnvFile } from "./env-file.ts";
import { readTracingConfig } from "./tracing.ts";

describe("the environment's tracing configuration", () => {
  it("when an env file has comments, export, quotes and trailing comments, then it reads as dotenv would", () => {
    expect(
      parseEnvFile(
        ['# staging', 'export OTEL_EXPORTER_OTLP_ENDPOINT="http://collector:4318"', "OTEL_SERVICE_NAME='monograph gateway'", "NODE_ENV=production # real", "EMPTY=", "not a line"].join("\n"),
      ),
    ).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SERVICE_NAME: "monograph gateway", NODE_ENV: "production", EMPTY: "" });
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }, []],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://otel.example/v1/traces", OTEL_TRACES_EXPORTER: "otlp,console" }, []],
    [{}, ["neither OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set"]],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, ["OTEL_EXPORTER_OTLP_ENDPOINT=collector:4318 is not an http(s) URL"]],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_TRACES_EXPORTER: "none" }, ["OTEL_TRACES_EXPORTER=none exports no traces"]],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_TRACES_EXPORTER: "zipkin" }, ["OTEL_TRACES_EXPORTER=zipkin does not export OTLP"]],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" }, ["OTEL_SDK_DISABLED=true turns the SDK off"]],
  ])("when the environment is %j, then the problems are %j", (env, problems) => {
    expect(readTracingConfig(env).problems).toEqual(problems);
  });
});
