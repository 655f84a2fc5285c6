import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "./types.ts";

/** A domain as the checks see it: where its code is, and which files make its contract. */
export interface DomainSpec {
  name: string;
  /** The domain's folder, relative to the repository root (what CODEOWNERS must cover). */
  folder: string;
  /** Files and folders of the domain's code besides its folder (its Prisma schema file). */
  code: string[];
  /**
   * Its contract: its SDL, the events it publishes (events.ts) and consumes (subscriptions.ts), the client
   * interfaces it needs or provides. Relative to the repository root; missing files are simply never changed.
   */
  contract: string[];
}

export interface ExtractCheckConfig {
  /** git's --since: how far back the boundary must have been stable. */
  since: string;
  minOwners: number;
  budgetP99Ms: number;
  /** The e2e suite's results file, relative to the root. */
  e2eResults: string;
  metrics: { histogram: string; label: string; flagRatio: number };
  latency: { rounds: number; requestsPerRound: number; connections: number };
  /** Per domain: contract files besides the conventional ones (client interfaces). */
  contractExtras: Record<string, string[]>;
}

/**
 * Built-in defaults. A repository may override any of them in packages/extract-check/extract-check.config.json
 * (or the file given with --config); flags override both.
 */
export const DEFAULT_CONFIG: ExtractCheckConfig = {
  since: "90 days ago",
  minOwners: 2,
  budgetP99Ms: 50,
  e2eResults: "test-artifacts/e2e-results.json",
  // The gateway's fetch histogram: name and label as agreed with the metrics work; change them here at merge.
  metrics: { histogram: "monograph_subgraph_fetch_duration_seconds", label: "subgraph", flagRatio: 10 },
  // One connection: requests one after another, so the figures are the hop's cost, not how two processes share two cores.
  latency: { rounds: 8, requestsPerRound: 15, connections: 1 },
  contractExtras: {},
};

export const CONFIG_FILE = "packages/extract-check/extract-check.config.json";

/** Conventional contract files of a domain, inside apps/<name>-subgraph/src. */
// contracts.ts: the port contracts other domains import as types (docs/adr/0014-domain-modules-and-registry.md).
const CONVENTIONAL_CONTRACT = ["schema.graphql", "events.ts", "subscriptions.ts", "contracts.ts"];

export function loadConfig(root: string, file?: string): ExtractCheckConfig {
  const target = file ?? path.join(root, CONFIG_FILE);
  if (!existsSync(target)) {
    if (file) throw new UsageError(`--config ${file}: no such file`);
    return DEFAULT_CONFIG;
  }
  let parsed: Partial<ExtractCheckConfig>;
  try {
    parsed = JSON.parse(readFileSync(target, "utf8")) as Partial<ExtractCheckConfig>;
  } catch (error) {
    throw new UsageError(`${target}: not JSON (${(error as Error).message})`);
  }
  return {
    ...DEFAULT_CONFIG,
    ...parsed,
    metrics: { ...DEFAULT_CONFIG.metrics, ...parsed.metrics },
    latency: { ...DEFAULT_CONFIG.latency, ...parsed.latency },
    contractExtras: { ...DEFAULT_CONFIG.contractExtras, ...parsed.contractExtras },
  };
}

/** The domains of a checkout, by convention: apps/<name>-subgraph/src/schema.graphql. */
export function discoverDomains(root: string, config: ExtractCheckConfig): DomainSpec[] {
  const apps = path.join(root, "apps");
  if (!existsSync(apps)) return [];
  return readdirSync(apps)
    .flatMap((entry) => {
      const name = /^([a-z0-9][a-z0-9-]*)-subgraph$/.exec(entry)?.[1];
      return name && existsSync(path.join(apps, entry, "src", "schema.graphql")) ? [name] : [];
    })
    .sort()
    .map((name) => {
      const folder = `apps/${name}-subgraph`;
      return {
        name,
        folder,
        code: [`prisma/schema/${name}.prisma`],
        contract: [...CONVENTIONAL_CONTRACT.map((file) => `${folder}/src/${file}`), ...(config.contractExtras[name] ?? []).map((file) => `${folder}/${file}`)],
      };
    });
}

/** True when a repository-relative file is the path or under it (a folder). */
export const isUnder = (file: string, target: string): boolean => file === target || file.startsWith(`${target.replace(/\/$/, "")}/`);

/** True when the file belongs to the domain's code or contract. */
export const belongsTo = (file: string, domain: DomainSpec): boolean => isUnder(file, domain.folder) || domain.code.some((code) => isUnder(file, code));
