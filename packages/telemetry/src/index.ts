export * from "./context.ts";
export * from "./env.ts";
export * from "./logger.ts";
export * from "./propagation.ts";
