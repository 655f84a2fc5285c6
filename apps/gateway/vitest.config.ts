import { mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// The end-to-end tests also leave a summary per runtime shape in test-artifacts/e2e-results.json, which
// `monograph extract-check` reads (test/support/e2e-results-reporter.ts).
export default mergeConfig(shared, { test: { reporters: ["default", "./test/support/e2e-results-reporter.ts"] } });
