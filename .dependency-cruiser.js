// Module boundaries, checked by dependency-cruiser over the resolved import graph (`npm run lint`; ADR 0001): a
// domain (apps/<name>-subgraph) reaches another only through the supergraph, an injected port or an event; never by
// importing its code, statically, dynamically, with require, or for its types alone. Domains are recognised by their
// folder name, so a new domain is covered without editing this file. What a static graph cannot see (createRequire,
// an import() of a computed name) is refused by ESLint in eslint.config.js. The rules bite: apps/gateway/test/
// architecture.test.ts runs them on fixture files that break each one.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));

/** Every file a workspace offers in its package.json `exports`: the only files another workspace may import. */
function entryPoints(baseDir) {
  return ["apps", "packages"].flatMap((group) =>
    readdirSync(path.join(baseDir, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => {
        let manifest;
        try {
          manifest = JSON.parse(readFileSync(path.join(baseDir, group, entry.name, "package.json"), "utf8"));
        } catch {
          return [];
        }
        const targets = [];
        const collect = (value) => {
          if (typeof value === "string") targets.push(value);
          else if (value && typeof value === "object") Object.values(value).forEach(collect);
        };
        collect(manifest.exports ?? manifest.main ?? []);
        return targets.map((target) => path.posix.join(group, entry.name, target));
      }),
  );
}

/** A domain's contracts: the one file of it that another domain may import. */
const CONTRACTS = "^apps/[^/]+-subgraph/src/contracts\\.ts$";

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The rules for a repository laid out like this one; the architecture test applies them to a fixture repository. */
export function boundaryRules(baseDir = root) {
  const publicFiles = entryPoints(baseDir).map((file) => `^${escape(file)}$`);
  return [
    {
      name: "domain-imports-another-domain",
      comment: "A domain never imports another domain: use the supergraph, an injected client interface (port), or an event.",
      severity: "error",
      from: { path: "^apps/([^/]+)-subgraph/" },
      to: { path: "^apps/[^/]+-subgraph/", pathNot: ["^apps/$1-subgraph/", CONTRACTS] },
    },
    {
      name: "contracts-import-code",
      comment:
        "A domain's contracts (its ports' and events' types, and constants such as event names) import nothing at run time, so a consumer that imports them loads none of the producer's code (ADR 0014, ADR 0017).",
      severity: "error",
      from: { path: CONTRACTS },
      to: { dependencyTypesNot: ["type-only"] },
    },
    {
      name: "domain-imports-the-gateway",
      comment: "The composition root (apps/gateway) and the registry (packages/domains) import the domains, never the other way round; nor does a domain import the gateway library (packages/gateway), which serves them all.",
      severity: "error",
      from: { path: "^apps/[^/]+-subgraph/" },
      to: { path: "^(apps/gateway|packages/gateway|packages/domains)/" },
    },
    {
      name: "package-imports-an-app",
      comment:
        "packages/* are shared platform pieces under the apps; they never import an app (domain or gateway). The registry of domains (packages/domains) is the one exception: it lazily loads each domain's module (ADR 0014).",
      severity: "error",
      from: { path: "^packages/", pathNot: "^packages/domains/" },
      to: { path: "^apps/" },
    },
    {
      name: "deep-import-into-a-workspace",
      comment: "Another workspace is reached through its package name and what its package.json exports, never its internals.",
      severity: "error",
      from: { path: "^(apps|packages)/([^/]+)/" },
      to: { path: "^(apps|packages)/", pathNot: ["^$1/$2/", ...publicFiles] },
    },
    {
      name: "domain-import-unresolvable",
      comment: "An import the checker cannot resolve cannot be checked: in a domain it is refused.",
      severity: "error",
      from: { path: "^apps/[^/]+-subgraph/" },
      to: { couldNotResolve: true },
    },
  ];
}

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: boundaryRules(),
  options: {
    // Type-only imports count: a domain that imports another's types is coupled to it all the same.
    tsPreCompilationDeps: true,
    parser: "tsc",
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["/node_modules/", "/generated/", "/\\.turbo/", "/dist/", "/test-artifacts/"] },
    // Resolve as Node and TypeScript do here: through package.json `exports`, to the TypeScript source.
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["types", "import", "require", "node", "default"],
      mainFields: ["types", "module", "main"],
      extensions: [".ts", ".mts", ".js", ".mjs", ".cjs", ".json", ".d.ts"],
    },
  },
};
