export * from "./config.ts";
export * from "./errors.ts";
export * from "./graphql.ts";
export * from "./http.ts";
export * from "./identity.ts";
export * from "./subgraph.ts";
export * from "./process.ts";
export * from "./paths.ts";
export { childLogger, logger, propagationHeaders, REQUEST_ID_HEADER, setServiceName, startTracing, type Logger } from "@monograph/telemetry";
