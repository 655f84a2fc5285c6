import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { DOMAIN_NAMES } from "@monograph/domains";
import { REPO_ROOT } from "@monograph/platform";
import { describe, expect, it } from "vitest";

// Module boundaries are executable (docs/adr/0001-modular-monolith.md): a domain reaches another only through the
// supergraph, an injected port, or an event; never by importing its code. Its port contracts are the exception, as
// types only (docs/adr/0014-domain-modules-and-registry.md). The domains are the registry's.
const DOMAINS: readonly string[] = DOMAIN_NAMES;

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

const TYPE_ONLY_CONTRACT_IMPORT = /(?:import|export)\s+type\s[^'"]*?from\s*["'](@monograph\/[a-z0-9-]+-subgraph\/contracts)["']/g;

/** Every module specifier a file imports, less its type-only imports of a domain's contracts (they load nothing). */
export function valueImportsOf(source: string): string[] {
  return importsOf(source.replace(TYPE_ONLY_CONTRACT_IMPORT, ""));
}

export function crossDomainImports(domain: string, file: string, specifiers: string[]): string[] {
  return specifiers.filter((specifier) =>
    DOMAINS.filter((other) => other !== domain).some((other) => {
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
    const specifiers = importsOf(`import { x } from "@monograph/billing-subgraph";\nimport type { Y } from "../../inventory-subgraph/src/service.ts";\nconst z = await import("@monograph/users-subgraph/module");\nimport { ok } from "./repository.ts";`);
    expect(crossDomainImports("orders", file, specifiers)).toEqual([
      "@monograph/billing-subgraph",
      "../../inventory-subgraph/src/service.ts",
      "@monograph/users-subgraph/module",
    ]);
  });

  it("when a domain imports another's contracts, then only a type-only import passes", () => {
    const file = path.join(REPO_ROOT, "apps/orders-subgraph/src/module.ts");
    const source = `import type { ReservationsPort } from "@monograph/inventory-subgraph/contracts";\nimport { RESERVATIONS } from "@monograph/inventory-subgraph/contracts";\nimport type { X } from "@monograph/inventory-subgraph";`;
    expect(crossDomainImports("orders", file, valueImportsOf(source))).toEqual(["@monograph/inventory-subgraph/contracts", "@monograph/inventory-subgraph"]);
  });

  it("the registry lists exactly the domains of apps/*-subgraph", () => {
    const folders = readdirSync(path.join(REPO_ROOT, "apps")).filter((entry) => entry.endsWith("-subgraph")).map((entry) => entry.slice(0, -"-subgraph".length));
    expect([...DOMAINS].sort()).toEqual(folders.sort());
  });

  it.each(DOMAINS)("the %s domain's contracts, if any, carry types only", (domain) => {
    const file = path.join(REPO_ROOT, "apps", `${domain}-subgraph`, "src", "contracts.ts");
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch {
      return;
    }
    const valueImports = importsOf(source.replace(/import\s+type\s[^'"]*?from\s*["'][^"']+["'];?/g, ""));
    expect(valueImports).toEqual([]);
    // No value declarations either: what another domain may import must vanish at compile time.
    expect(source.match(/^export\s+(const|let|var|function|class|enum)\b.*$/gm) ?? []).toEqual([]);
  });

  it.each(DOMAINS)("the %s domain imports neither the gateway nor the registry", (domain) => {
    const root = path.join(REPO_ROOT, "apps", `${domain}-subgraph`);
    const violations = sourceFiles(root).flatMap((file) =>
      importsOf(readFileSync(file, "utf8"))
        .filter((specifier) => /^@monograph\/(gateway|domains)(\/|$)/.test(specifier) || (specifier.startsWith(".") && /[\\/](apps[\\/]gateway|packages[\\/]domains)[\\/]/.test(path.resolve(path.dirname(file), specifier))))
        .map((specifier) => `${path.relative(REPO_ROOT, file)} imports ${specifier}`),
    );
    expect(violations).toEqual([]);
  });

  it.each(DOMAINS)("the %s domain imports no other domain's code", (domain) => {
    const root = path.join(REPO_ROOT, "apps", `${domain}-subgraph`);
    const violations = sourceFiles(root).flatMap((file) =>
      crossDomainImports(domain, file, valueImportsOf(readFileSync(file, "utf8"))).map((specifier) => `${path.relative(REPO_ROOT, file)} imports ${specifier}`),
    );
    expect(violations).toEqual([]);
  });

  it.each(DOMAINS)("the %s domain does not depend on the gateway or another domain in package.json", (domain) => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "apps", `${domain}-subgraph`, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
    const forbidden = dependencies.filter((name) => name === "@monograph/gateway" || DOMAINS.some((other) => other !== domain && name === `@monograph/${other}-subgraph`));
    expect(forbidden).toEqual([]);
  });
});
