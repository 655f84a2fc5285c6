// The composition root: the gateway library (@monograph/gateway-core) wired to the registry's domains.
export { startMonograph, type RunningMonograph } from "./monograph.ts";
