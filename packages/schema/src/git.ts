import { execFileSync } from "node:child_process";

/** Runs git in a directory; returns stdout, or undefined when git fails (not a repository, unknown ref, ...). */
export function git(cwd: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

export function gitTopLevel(cwd: string): string | undefined {
  return git(cwd, ["rev-parse", "--show-toplevel"])?.trim() || undefined;
}

/** The commit a ref names, or undefined when it names none. */
export function resolveCommit(root: string, ref: string): string | undefined {
  return git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`])?.trim() || undefined;
}

/** Files of a commit under some paths (relative to the root). */
export function listFilesAt(root: string, commit: string, paths: readonly string[]): string[] {
  const out = git(root, ["ls-tree", "-r", "--name-only", commit, "--", ...paths]);
  return out ? out.split("\n").filter(Boolean) : [];
}

export function showFileAt(root: string, commit: string, file: string): string | undefined {
  return git(root, ["show", `${commit}:${file}`]);
}

export interface DefaultBase {
  commit?: string;
  /** How the base was chosen, for the report ("merge base of HEAD and main", ...). */
  description: string;
}

/**
 * The default baseline. On a branch: the merge base with main (what a pull request changes). On main itself the
 * merge base is HEAD, which would compare the schema with itself, so CI on main compares with HEAD's first parent:
 * what the last commit (or merge) changed. Without a main branch, HEAD's first parent too; without history, none.
 */
export function defaultBase(root: string): DefaultBase {
  const head = resolveCommit(root, "HEAD");
  if (!head) return { description: "no baseline: not a git repository, or no commit yet" };
  for (const main of ["main", "origin/main"]) {
    if (!resolveCommit(root, main)) continue;
    const mergeBase = git(root, ["merge-base", "HEAD", main])?.trim();
    if (mergeBase && mergeBase !== head) return { commit: mergeBase, description: `merge base of HEAD and ${main} (${mergeBase.slice(0, 12)})` };
    if (mergeBase === head) return parentOf(root, `HEAD is on ${main}`);
    return parentOf(root, `no merge base with ${main} (a shallow clone?)`);
  }
  return parentOf(root, "no main branch");
}

function parentOf(root: string, why: string): DefaultBase {
  const parent = resolveCommit(root, "HEAD^1");
  if (!parent) return { description: `no baseline: ${why} and HEAD has no parent` };
  return { commit: parent, description: `HEAD's first parent (${parent.slice(0, 12)}): ${why}` };
}
