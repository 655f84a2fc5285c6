import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "@monograph/platform";
import { describe, expect, it } from "vitest";

// Module boundaries are executable (docs/adr/0001-modular-monolith.md): a domain reaches another only through the
// supergraph, an injected client interface, or an event; never by importing its code.
const DOMAINS = ["users", "inventory", "orders", "billing"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (entry === "node_modules" || entry === "generated") return [];
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(ts|js|mjs)$/.test(entry) ? [full] : [];
  });
}

/** Every module specifier a file imports, statically or dynamically. */
export function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;
  for (const match of source.matchAll(pattern)) specifiers.push((match[1] ?? match[2] ?? match[3])!);
  return specifiers;
}

export function crossDomainImports(domain: string, file: string, specifiers: string[]): string[] {
  return specifiers.filter((specifier) =>
    DOMAINS.filter((other) => other !== domain).some((other) => {
      // Another domain's event contracts are allowed (docs/adr/0017): contracts.ts imports nothing at run time.
      if (specifier === `@monograph/${other}-subgraph/contracts`) return false;
      if (specifier === `@monograph/${other}-subgraph` || specifier.startsWith(`@monograph/${other}-subgraph/`)) return true;
      if (!specifier.startsWith(".")) return false;
      const resolved = path.resolve(path.dirname(file), specifier);
      return resolved.startsWith(path.join(REPO_ROOT, "apps", `${other}-subgraph`) + path.sep);
    }),
  );
}

describe("module boundaries", () => {
  it("when the boundary check sees a cross-domain import, then it reports it (the check itself works)", () => {
    const file = path.join(REPO_ROOT, "apps/orders-subgraph/src/service.ts");
    const specifiers = importsOf(`import { x } from "@monograph/billing-subgraph";\nimport { INVOICE_PAID } from "@monograph/billing-subgraph/contracts";\nimport type { Y } from "../../inventory-subgraph/src/service.ts";\nconst z = await import("@monograph/users-subgraph/main");\nimport { ok } from "./repository.ts";`);
    expect(crossDomainImports("orders", file, specifiers)).toEqual([
      "@monograph/billing-subgraph",
      "../../inventory-subgraph/src/service.ts",
      "@monograph/users-subgraph/main",
    ]);
  });

  it.each(DOMAINS)("the %s domain imports no other domain's code", (domain) => {
    const root = path.join(REPO_ROOT, "apps", `${domain}-subgraph`);
    const violations = sourceFiles(root).flatMap((file) =>
      crossDomainImports(domain, file, importsOf(readFileSync(file, "utf8"))).map((specifier) => `${path.relative(REPO_ROOT, file)} imports ${specifier}`),
    );
    expect(violations).toEqual([]);
  });

  it.each(DOMAINS)("the %s domain's contracts, if any, import nothing at run time (only types)", (domain) => {
    const file = path.join(REPO_ROOT, "apps", `${domain}-subgraph`, "src", "contracts.ts");
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch {
      return;
    }
    const runtimeImports = [...source.matchAll(/^\s*(?:import|export)\s(?!type\s)[^;]*?from\s*["']([^"']+)["']/gm)].map((match) => match[1]);
    expect(runtimeImports).toEqual([]);
  });

  it.each(DOMAINS)("the %s domain does not depend on the gateway or another domain in package.json", (domain) => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "apps", `${domain}-subgraph`, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
    const forbidden = dependencies.filter((name) => name === "@monograph/gateway" || DOMAINS.some((other) => other !== domain && name === `@monograph/${other}-subgraph`));
    expect(forbidden).toEqual([]);
  });
});
