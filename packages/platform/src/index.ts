export * from "./config.ts";
export * from "./errors.ts";
export * from "./graphql.ts";
export * from "./http.ts";
export * from "./limits.ts";
export * from "./edge-config.ts";
export * from "./identity.ts";
export * from "./subgraph.ts";
export * from "./domain.ts";
export * from "./process.ts";
export * from "./paths.ts";
export * from "./runtime.ts";
export * from "./request-context.ts";
export {
  childLogger,
  forRequest,
  logger,
  propagationHeaders,
  REQUEST_ID_HEADER,
  requestContextOf,
  setServiceName,
  startTracing,
  type Logger,
  type RequestContext,
} from "@monograph/telemetry";
export * from "./loaders.ts";
