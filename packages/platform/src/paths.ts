import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder. Relative data paths (.data/...) resolve against it, whatever the cwd. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export function fromRepoRoot(relativeOrAbsolute: string): string {
  return path.resolve(REPO_ROOT, relativeOrAbsolute);
}
