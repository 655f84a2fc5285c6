import { mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// The latency test starts real gateways: no Apollo usage reporting or cloud detectors (see STACK-NOTES.md).
export default mergeConfig(shared, { test: { env: { APOLLO_TELEMETRY_DISABLED: "true" } } });
