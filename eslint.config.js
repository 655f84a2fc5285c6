// One lint configuration for the whole workspace. Module boundaries (docs/adr/0001-modular-monolith.md) are checked
// by dependency-cruiser over the resolved import graph (.dependency-cruiser.js, also in `npm run lint`); the rules
// below refuse, in domain code, what no static graph can follow.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const UNCHECKABLE = "the boundary check (.dependency-cruiser.js) cannot see what it loads, so a domain may not use it";

/** Domain code: every apps/<name>-subgraph folder, so a new domain is covered as it is added. */
const domainCode = {
  files: ["apps/*-subgraph/**/*.ts"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        paths: ["module", "node:module"].map((name) => ({ name, importNames: ["createRequire"], message: `createRequire: ${UNCHECKABLE}. Import the module.` })),
      },
    ],
    "no-restricted-syntax": [
      "error",
      // Also `module.createRequire(...)` and a createRequire got any other way.
      { selector: "Identifier[name='createRequire']", message: `createRequire: ${UNCHECKABLE}. Import the module.` },
      { selector: "ImportExpression[source.type!='Literal']", message: `import() of a computed specifier: ${UNCHECKABLE}. Name the module literally.` },
      { selector: "CallExpression[callee.name='require']", message: `require(): domain code is ES modules, where a require comes from createRequire: ${UNCHECKABLE}. Import the module.` },
    ],
  },
};

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
  domainCode,
);
