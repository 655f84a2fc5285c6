// One lint configuration for the whole workspace. The domain-boundary rule is the important one: a domain app
// never imports another domain app (docs/adr/0001-modular-monolith.md); packages/* are shared platform pieces.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const domains = ["users", "inventory", "orders", "billing"];

const boundaryRules = domains.map((domain) => ({
  files: [`apps/${domain}-subgraph/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: domains
          .filter((other) => other !== domain)
          .flatMap((other) => [
            // The one exception: another domain's event contracts (types and constants only, docs/adr/0017). A regex,
            // since a gitignore-style "!" cannot re-include a path below an excluded package name.
            { regex: `^@monograph/${other}-subgraph(/(?!contracts$).*)?$`, message: `The ${domain} domain must not import the ${other} domain: use the supergraph, an injected client interface, or an event (its contracts: @monograph/${other}-subgraph/contracts).` },
            { regex: `^\\.{1,2}/(.*/)?${other}-subgraph(/|$)`, message: `The ${domain} domain must not import the ${other} domain's files.` },
          ]),
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
