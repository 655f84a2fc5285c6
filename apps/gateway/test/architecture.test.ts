import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DOMAIN_NAMES } from "@monograph/domains";
import { REPO_ROOT } from "@monograph/platform";
import { cruise, type IConfiguration, type IForbiddenRuleType } from "dependency-cruiser";
import { ESLint } from "eslint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Module boundaries are executable (docs/adr/0001-modular-monolith.md): `npm run lint` runs dependency-cruiser with
// the rules of .dependency-cruiser.js over apps/ and packages/, and ESLint refuses what no import graph shows
// (createRequire, import() of a computed name). These tests prove that both bite: each rule, applied as it is to a
// small fixture repository laid out like this one, reports every file written to break it, and nothing else.

interface BoundaryConfig {
  default: IConfiguration;
  boundaryRules(baseDir: string): IForbiddenRuleType[];
}

/** The fixture repository: each entry is a file, relative to its root. */
const FIXTURE: Record<string, string> = {
  "package.json": JSON.stringify({ name: "fixture", private: true, type: "module", workspaces: ["apps/*", "packages/*"] }),
  "apps/billing-subgraph/package.json": JSON.stringify({ name: "@monograph/billing-subgraph", type: "module", exports: { ".": "./src/index.ts", "./contracts": "./src/contracts.ts" } }),
  "apps/billing-subgraph/src/index.ts": `export { invoiceTotal } from "./x.ts";\n`,
  "apps/billing-subgraph/src/x.ts": `export const invoiceTotal = 1;\nexport interface Invoice { id: string }\n`,
  // Its contracts: types another domain may know. One import here brings code along, which contracts may not do.
  "apps/billing-subgraph/src/contracts.ts": `import type { Invoice } from "./x.ts";\nimport { invoiceTotal } from "./x.ts";\nexport interface InvoicesPort { find(id: string): Promise<Invoice> }\nexport const LEAKED_TOTAL = invoiceTotal;\nexport const INVOICE_PAID = { type: "invoices.paid" } as const;\n`,
  "packages/domains/package.json": JSON.stringify({ name: "@monograph/domains", type: "module", exports: { ".": "./src/index.ts" } }),
  "packages/domains/src/index.ts": `export const DOMAIN_NAMES = ["billing", "orders"];\n`,
  "apps/gateway/package.json": JSON.stringify({ name: "@monograph/gateway", type: "module", exports: { ".": "./src/index.ts" } }),
  "apps/gateway/src/index.ts": `export const startGateway = () => undefined;\n`,
  "packages/gateway/package.json": JSON.stringify({ name: "@monograph/gateway-core", type: "module", exports: { ".": "./src/index.ts" } }),
  "packages/gateway/src/index.ts": `export const startGateway = () => undefined;\n`,
  // The gateway may import a domain's entry point (it is the composition root), but not another workspace's insides.
  "apps/gateway/src/composition.ts": `import { invoiceTotal } from "@monograph/billing-subgraph";\nexport const total = invoiceTotal;\n`,
  "apps/gateway/src/deep.ts": `import { secret } from "../../../packages/db/src/internal.ts";\nexport const leaked = secret;\n`,
  "packages/db/package.json": JSON.stringify({ name: "@monograph/db", type: "module", exports: { ".": "./src/index.ts" } }),
  "packages/db/src/index.ts": `export { connect } from "./connect.ts";\n`,
  "packages/db/src/connect.ts": `import { secret } from "./internal.ts";\nexport const connect = () => secret;\n`,
  "packages/db/src/internal.ts": `export const secret = "internal";\n`,
  "packages/db/src/uses-app.ts": `import { startGateway } from "@monograph/gateway";\nexport const start = startGateway;\n`,
  "apps/orders-subgraph/package.json": JSON.stringify({ name: "@monograph/orders-subgraph", type: "module", exports: { ".": "./src/index.ts" } }),
  // What a domain may do: its own files, a package's entry point, Node's built-ins.
  "apps/orders-subgraph/src/index.ts": `import { readFileSync } from "node:fs";\nimport { connect } from "@monograph/db";\nimport { own } from "./own.ts";\nexport const ok = [readFileSync, connect, own];\n`,
  "apps/orders-subgraph/src/own.ts": `export const own = 1;\n`,
  "apps/orders-subgraph/src/static-import.ts": `import { invoiceTotal } from "@monograph/billing-subgraph";\nexport const total = invoiceTotal;\n`,
  "apps/orders-subgraph/src/type-only.ts": `import type { Invoice } from "@monograph/billing-subgraph";\nexport type Seen = Invoice;\n`,
  "apps/orders-subgraph/src/re-export.ts": `export { invoiceTotal } from "@monograph/billing-subgraph";\n`,
  "apps/orders-subgraph/src/dynamic-import.ts": `export const billing = await import("@monograph/billing-subgraph");\n`,
  "apps/orders-subgraph/src/relative.ts": `import { invoiceTotal } from "../../billing-subgraph/src/x.ts";\nexport const total = invoiceTotal;\n`,
  "apps/orders-subgraph/src/gateway.ts": `import { startGateway } from "@monograph/gateway";\nexport const start = startGateway;\n`,
  "apps/orders-subgraph/src/gateway-library.ts": `import { startGateway } from "@monograph/gateway-core";\nexport const start = startGateway;\n`,
  "apps/orders-subgraph/src/contracts-as-types.ts": `import type { InvoicesPort } from "@monograph/billing-subgraph/contracts";\nexport type Port = InvoicesPort;\n`,
  "apps/orders-subgraph/src/contracts-as-values.ts": `import { INVOICE_PAID } from "@monograph/billing-subgraph/contracts";\nexport const subject = INVOICE_PAID.type;\n`,
  "apps/orders-subgraph/src/registry.ts": `import { DOMAIN_NAMES } from "@monograph/domains";\nexport const names = DOMAIN_NAMES;\n`,
  "apps/orders-subgraph/src/unresolvable.ts": `import { nothing } from "@monograph/no-such-domain";\nexport const none = nothing;\n`,
  // A domain the rules have never heard of is covered by its folder name alone.
  "apps/notifications-subgraph/package.json": JSON.stringify({ name: "@monograph/notifications-subgraph", type: "module", exports: { ".": "./src/index.ts" } }),
  "apps/notifications-subgraph/src/index.ts": `import { invoiceTotal } from "@monograph/billing-subgraph";\nexport const total = invoiceTotal;\n`,
};

/** What ESLint must refuse in domain code: loading a module in a way no static graph can follow. */
const UNCHECKABLE: Record<string, string> = {
  "create-require-inline.ts": `import { createRequire } from "node:module";\nexport const billing = createRequire(import.meta.url)("@monograph/billing-subgraph");\n`,
  "create-require-namespace.ts": `import * as nodeModule from "node:module";\nconst load = nodeModule.createRequire(import.meta.url);\nexport const billing = load("@monograph/billing-subgraph");\n`,
  "computed-import.ts": `const domain = ["billing", "subgraph"].join("-");\nexport const billing = await import(\`@monograph/\${domain}\`);\n`,
};

let fixtureRoot: string;
let config: BoundaryConfig;

/** Every violation dependency-cruiser reports in the fixture repository, as "rule: from -> to". */
let violations: string[];

beforeAll(async () => {
  fixtureRoot = mkdtempSync(path.join(tmpdir(), "monograph-boundaries-"));
  for (const [file, content] of Object.entries(FIXTURE)) {
    mkdirSync(path.dirname(path.join(fixtureRoot, file)), { recursive: true });
    writeFileSync(path.join(fixtureRoot, file), content);
  }
  // What npm does for workspaces: each package name links to its folder.
  mkdirSync(path.join(fixtureRoot, "node_modules/@monograph"), { recursive: true });
  for (const group of ["apps", "packages"]) {
    for (const name of readdirSync(path.join(fixtureRoot, group))) {
      const manifest = JSON.parse(readFileSync(path.join(fixtureRoot, group, name, "package.json"), "utf8")) as { name: string };
      symlinkSync(path.join(fixtureRoot, group, name), path.join(fixtureRoot, "node_modules", manifest.name), "dir");
    }
  }
  config = (await import(pathToFileURL(path.join(REPO_ROOT, ".dependency-cruiser.js")).href)) as BoundaryConfig;
  const result = await cruise(["apps", "packages"], { ...config.default.options, baseDir: fixtureRoot, validate: true, ruleSet: { forbidden: config.boundaryRules(fixtureRoot) } });
  if (typeof result.output === "string") throw new Error("dependency-cruiser answered text, not a cruise result");
  violations = result.output.summary.violations.map((violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}`);
});

afterAll(() => {
  if (fixtureRoot) rmSync(fixtureRoot, { recursive: true, force: true });
});

describe("module boundaries (dependency-cruiser)", () => {
  it.each([
    ["a static import", "static-import.ts"],
    ["a type-only import", "type-only.ts"],
    ["a re-export", "re-export.ts"],
    ["a dynamic import()", "dynamic-import.ts"],
  ])("when a domain reaches another domain by %s, then the check reports it", (_how, file) => {
    expect(violations).toContain(`domain-imports-another-domain: apps/orders-subgraph/src/${file} -> apps/billing-subgraph/src/index.ts`);
  });

  it("when a domain imports another domain's file by a relative path, then the check reports it (also as a deep import)", () => {
    expect(violations).toContain("domain-imports-another-domain: apps/orders-subgraph/src/relative.ts -> apps/billing-subgraph/src/x.ts");
    expect(violations).toContain("deep-import-into-a-workspace: apps/orders-subgraph/src/relative.ts -> apps/billing-subgraph/src/x.ts");
  });

  it("when a domain added after the rules imports another domain, then the check reports it (domains are found by folder name)", () => {
    expect(violations).toContain("domain-imports-another-domain: apps/notifications-subgraph/src/index.ts -> apps/billing-subgraph/src/index.ts");
  });

  it("when a domain imports the gateway, then the check reports it", () => {
    expect(violations).toContain("domain-imports-the-gateway: apps/orders-subgraph/src/gateway.ts -> apps/gateway/src/index.ts");
  });

  it("when a domain imports the gateway library, then the check reports it", () => {
    expect(violations).toContain("domain-imports-the-gateway: apps/orders-subgraph/src/gateway-library.ts -> packages/gateway/src/index.ts");
  });

  it("when a domain imports the registry of domains, then the check reports it", () => {
    expect(violations).toContain("domain-imports-the-gateway: apps/orders-subgraph/src/registry.ts -> packages/domains/src/index.ts");
  });

  it("when a domain imports another's contracts, as types or as constants, then the check lets it", () => {
    expect(violations.filter((violation) => /apps\/orders-subgraph\/src\/contracts-as-(types|values)\.ts/.test(violation))).toEqual([]);
  });

  it("when a domain's contracts import code at run time, then the check reports it (importing contracts loads nothing else)", () => {
    expect(violations).toContain("contracts-import-code: apps/billing-subgraph/src/contracts.ts -> apps/billing-subgraph/src/x.ts");
  });

  it("when a package imports an app, then the check reports it", () => {
    expect(violations).toContain("package-imports-an-app: packages/db/src/uses-app.ts -> apps/gateway/src/index.ts");
  });

  it("when code imports another workspace's internals, then the check reports it", () => {
    expect(violations).toContain("deep-import-into-a-workspace: apps/gateway/src/deep.ts -> packages/db/src/internal.ts");
  });

  it("when a domain imports a module the checker cannot resolve, then the check reports it", () => {
    expect(violations).toContain("domain-import-unresolvable: apps/orders-subgraph/src/unresolvable.ts -> @monograph/no-such-domain");
  });

  it("when code stays within the rules, then the check reports nothing for it", () => {
    const allowed = ["apps/orders-subgraph/src/index.ts ", "apps/orders-subgraph/src/own.ts ", "apps/gateway/src/composition.ts ", "packages/db/src/connect.ts ", "packages/db/src/index.ts "];
    expect(violations.filter((violation) => allowed.some((file) => violation.includes(`: ${file}`)))).toEqual([]);
    // And nothing beyond the violations the fixture was written to have.
    expect(violations, violations.join("\n")).toHaveLength(14);
  });
});

describe("module boundaries (ESLint, for what no import graph shows)", () => {
  const eslint = new ESLint({ cwd: REPO_ROOT });
  const messagesFor = async (source: string, file: string) => {
    const [result] = await eslint.lintText(source, { filePath: path.join(REPO_ROOT, file) });
    return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
  };

  it.each(Object.entries(UNCHECKABLE))("when a domain loads a module with %s, then lint reports it", async (file, source) => {
    const messages = await messagesFor(source, `apps/orders-subgraph/src/${file}`);
    expect(messages.some((message) => /^no-restricted-(imports|syntax): .*the boundary check/.test(message)), messages.join("\n")).toBe(true);
  });

  it("when a domain imports another domain's code through createRequire, then neither check lets it pass", async () => {
    const messages = await messagesFor(UNCHECKABLE["create-require-inline.ts"]!, "apps/orders-subgraph/src/create-require-inline.ts");
    expect(messages).toContain("no-restricted-imports: 'createRequire' import from 'node:module' is restricted. createRequire: the boundary check (.dependency-cruiser.js) cannot see what it loads, so a domain may not use it. Import the module.");
  });

  it("when code outside the domains uses createRequire, then these rules leave it alone (they are the domains' rules)", async () => {
    expect(await messagesFor(UNCHECKABLE["create-require-inline.ts"]!, "apps/gateway/src/create-require.ts")).toEqual([]);
  });
});

describe("module boundaries (the registry and the contracts)", () => {
  const folders = readdirSync(path.join(REPO_ROOT, "apps")).filter((name) => name.endsWith("-subgraph")).map((name) => name.slice(0, -"-subgraph".length));

  it("the registry (packages/domains) lists exactly the domains of apps/*-subgraph", () => {
    expect([...DOMAIN_NAMES].sort()).toEqual([...folders].sort());
  });
});

describe("module boundaries (package manifests)", () => {
  const domains = readdirSync(path.join(REPO_ROOT, "apps")).filter((name) => name.endsWith("-subgraph"));

  it("the domains are found by folder name: every registered domain's", () => {
    expect(domains).toEqual(expect.arrayContaining(DOMAIN_NAMES.map((name) => `${name}-subgraph`)));
  });

  it.each(domains)("%s does not depend on the gateway or another domain in package.json", (domain) => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "apps", domain, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies });
    const forbidden = dependencies.filter((name) => name === "@monograph/gateway" || domains.some((other) => other !== domain && name === `@monograph/${other}`));
    expect(forbidden).toEqual([]);
  });
});
