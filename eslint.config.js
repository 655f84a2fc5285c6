// One lint configuration for the whole workspace. The domain-boundary rule is the important one: a domain app
// never imports another domain app (docs/adr/0001-modular-monolith.md); packages/* are shared platform pieces.
import { readdirSync } from "node:fs";
import path from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Every domain's folder (apps/<name>-subgraph). The registry (packages/domains) lists the same names, in TypeScript
// this configuration cannot load; apps/gateway/test/architecture.test.ts checks that the two agree.
const domains = readdirSync(path.join(import.meta.dirname, "apps"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name.endsWith("-subgraph"))
  .map((entry) => entry.name.slice(0, -"-subgraph".length));

// A domain may know another's port contracts, as types only (`import type ... from "@monograph/<other>-subgraph/contracts"`,
// docs/adr/0014-domain-modules-and-registry.md): they carry no code, so nothing of the other domain runs or loads.
const boundaryRules = domains.map((domain) => ({
  files: [`apps/${domain}-subgraph/**/*.ts`],
  rules: {
    "@typescript-eslint/no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            group: ["@monograph/gateway", "@monograph/gateway/*", "@monograph/domains", "@monograph/domains/*", "**/apps/gateway/**", "**/packages/domains/**"],
            message: `The ${domain} domain must not import the gateway or the registry: they import the domains.`,
          },
          ...domains
            .filter((other) => other !== domain)
            .flatMap((other) => [
              {
                group: [`@monograph/${other}-subgraph`, `@monograph/${other}-subgraph/*`, `!@monograph/${other}-subgraph/contracts`],
                message: `The ${domain} domain must not import the ${other} domain: use the supergraph, an injected port, or an event.`,
              },
              {
                group: [`@monograph/${other}-subgraph/contracts`],
                allowTypeImports: true,
                message: `The ${domain} domain may import the ${other} domain's contracts as types only (import type).`,
              },
              { group: [`**/${other}-subgraph/**`, `!@monograph/${other}-subgraph/contracts`], message: `The ${domain} domain must not import the ${other} domain's files.` },
            ]),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "**/generated/**", "**/.turbo/**", ".data/**", "**/test-artifacts/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
    },
  },
  {
    // Application code logs through the one logger (@monograph/telemetry, re-exported by @monograph/platform): JSON
    // lines with the request id, and secrets redacted. CLIs (bench, prisma scripts) print their output as they like.
    files: ["apps/*/src/**/*.ts", "packages/*/src/**/*.ts"],
    rules: { "no-console": "error" },
  },
  {
    // Tests read GraphQL responses whose shape the query itself states; typing each one adds noise, not safety.
    files: ["**/*.test.ts", "**/test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  ...boundaryRules,
);
