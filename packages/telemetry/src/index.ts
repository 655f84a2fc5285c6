export * from "./context.ts";
export * from "./env.ts";
export * from "./logger.ts";
export * from "./propagation.ts";
export * from "./http.ts";
export * from "./metrics.ts";
export * from "./tracing.ts";
