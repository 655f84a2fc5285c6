import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DOMAINS } from "@monograph/domains";
import { CompositionFailure } from "./errors.ts";
import { REPO_ROOT } from "./paths.ts";

export interface SubgraphInfo {
  name: string;
  /** The SDL file, relative to the repository root (the same path works with `git show <ref>:<file>`). */
  sdlFile: string;
  /** The SDL file in this checkout. */
  sdlPath: string;
  /** The port the subgraph listens on when it runs alone (npm run start:distributed). */
  defaultPort: number;
  /** What the committed supergraph records as the subgraph's URL; the gateway overrides it at run time. */
  placeholderUrl: string;
}

export interface SubgraphSdl {
  name: string;
  typeDefs: string;
  url: string;
  sdlFile: string;
}

export const subgraphSdlFile = (name: string): string => `apps/${name}-subgraph/src/schema.graphql`;
export const placeholderUrl = (port: number): string => `http://localhost:${port}/graphql`;

function subgraph(name: string, defaultPort: number): SubgraphInfo {
  const sdlFile = subgraphSdlFile(name);
  return { name, sdlFile, sdlPath: path.join(REPO_ROOT, sdlFile), defaultPort, placeholderUrl: placeholderUrl(defaultPort) };
}

/** Every subgraph of Monograph, in composition order: the registry's domains (@monograph/domains), by name and port. */
export const SUBGRAPHS: readonly SubgraphInfo[] = Object.freeze(DOMAINS.map((domain) => subgraph(domain.name, domain.defaultPort)));

/**
 * Reads every subgraph's SDL from a checkout. A missing file is an error naming the subgraph, never a silently
 * smaller supergraph: the gateway would serve it without complaint.
 */
export function loadSubgraphSdls(rootDir: string = REPO_ROOT, subgraphs: readonly Pick<SubgraphInfo, "name" | "sdlFile" | "placeholderUrl">[] = SUBGRAPHS): SubgraphSdl[] {
  const missing = subgraphs.filter((s) => !existsSync(path.join(rootDir, s.sdlFile)));
  if (missing.length > 0) {
    throw new CompositionFailure(
      missing.map((s) => ({
        code: "MISSING_SDL_FILE",
        message: `missing SDL file for subgraph "${s.name}": ${s.sdlFile} does not exist under ${rootDir}`,
        subgraphs: [s.name],
        locations: [],
      })),
    );
  }
  return subgraphs.map((s) => ({ name: s.name, sdlFile: s.sdlFile, url: s.placeholderUrl, typeDefs: readFileSync(path.join(rootDir, s.sdlFile), "utf8") }));
}

const SDL_FILE_PATTERN = /^apps\/([a-z0-9][a-z0-9-]*)-subgraph\/src\/schema\.graphql$/;

/** The subgraph name of a repository-relative path, when it is a subgraph's SDL file by the naming convention. */
export function subgraphNameOfSdlFile(file: string): string | undefined {
  return SDL_FILE_PATTERN.exec(file)?.[1];
}

/**
 * Orders discovered subgraphs the way SUBGRAPHS does (known ones first, with their ports), the rest by name, so that
 * discovery over this repository composes exactly the committed supergraph.
 */
export function subgraphsNamed(names: readonly string[]): SubgraphInfo[] {
  const known = SUBGRAPHS.filter((s) => names.includes(s.name));
  const others = [...new Set(names)].filter((name) => !SUBGRAPHS.some((s) => s.name === name)).sort();
  let nextPort = Math.max(4000, ...known.map((s) => s.defaultPort));
  return [...known, ...others.map((name) => subgraph(name, ++nextPort))];
}

/** Subgraphs found by convention, `apps/<name>-subgraph/src/schema.graphql`, for repositories other than this one. */
export function discoverSubgraphs(rootDir: string): SubgraphInfo[] {
  const appsDir = path.join(rootDir, "apps");
  if (!existsSync(appsDir)) return [];
  const files = readdirSync(appsDir).map((entry) => `apps/${entry}/src/schema.graphql`);
  const names = files.filter((file) => existsSync(path.join(rootDir, file))).flatMap((file) => subgraphNameOfSdlFile(file) ?? []);
  return subgraphsNamed(names).map((s) => ({ ...s, sdlPath: path.join(rootDir, s.sdlFile) }));
}
