import { execFileSync } from "node:child_process";
import { belongsTo, isUnder, type DomainSpec } from "./config.ts";
import { UsageError, type CheckRow } from "./types.ts";

export interface HistoryCommit {
  sha: string;
  shortSha: string;
  /** Author date, ISO-8601. */
  date: string;
  subject: string;
  files: string[];
}

export interface ContractCommit extends HistoryCommit {
  /** The domain's contract files the commit changed. */
  contractFiles: string[];
  /** The other domains whose code or contract it changed too (cross-cutting when not empty). */
  otherDomains: string[];
}

const RECORD = "\u001e";
const FIELD = "\u001f";

/** Non-merge commits reachable from HEAD since a date, with every file each changed (renames as both paths). */
export function readHistory(root: string, since: string): HistoryCommit[] {
  let out: string;
  try {
    out = execFileSync(
      "git",
      ["log", "--no-merges", "--no-renames", `--since=${since}`, `--format=${RECORD}%H${FIELD}%h${FIELD}%aI${FIELD}%s`, "--name-only", "HEAD", "--"],
      { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 },
    );
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    // An empty repository has no HEAD: no history, nothing changed.
    if (/does not have any commits|unknown revision|bad revision 'HEAD'/.test(stderr)) return [];
    throw new UsageError(`cannot read the git history of ${root}: ${stderr || (error as Error).message}`);
  }
  return out
    .split(RECORD)
    .filter((record) => record.trim())
    .map((record) => {
      const [header = "", ...files] = record.split("\n");
      const [sha = "", shortSha = "", date = "", subject = ""] = header.split(FIELD);
      return { sha, shortSha, date, subject, files: files.map((file) => file.trim()).filter(Boolean) };
    });
}

/** The commits that changed a domain's contract, and which other domains each also touched. */
export function contractCommits(history: readonly HistoryCommit[], domain: DomainSpec, domains: readonly DomainSpec[]): ContractCommit[] {
  const others = domains.filter((other) => other.name !== domain.name);
  return history.flatMap((commit) => {
    const contractFiles = commit.files.filter((file) => domain.contract.some((contract) => isUnder(file, contract)));
    if (contractFiles.length === 0) return [];
    const otherDomains = others.filter((other) => commit.files.some((file) => belongsTo(file, other))).map((other) => other.name);
    return [{ ...commit, contractFiles, otherDomains }];
  });
}

export const describeCommit = (commit: ContractCommit): string =>
  `${commit.shortSha} ${commit.date.slice(0, 10)} ${commit.subject} (also ${commit.otherDomains.join(", ")})`;

export function checkBoundaryStable(root: string, since: string, domain: DomainSpec, domains: readonly DomainSpec[]): CheckRow {
  const changes = contractCommits(readHistory(root, since), domain, domains);
  const crossCutting = changes.filter((commit) => commit.otherDomains.length > 0);
  const contract = domain.contract.join(", ");
  const base = {
    id: "boundary-stable" as const,
    title: "Boundary stable",
    required: true,
    data: { since, contract: domain.contract, contractCommits: changes.map(({ files: _files, ...rest }) => rest), crossCutting: crossCutting.map((commit) => commit.sha) },
  };
  const counted = `${changes.length} commit${changes.length === 1 ? "" : "s"} changed the contract since ${since}`;
  if (crossCutting.length === 0) {
    return { ...base, verdict: "pass", summary: `${counted}; none also changed another domain`, evidence: [`contract: ${contract}`] };
  }
  return {
    ...base,
    verdict: "fail",
    summary: `${counted}; ${crossCutting.length} also changed another domain (cross-cutting)`,
    evidence: [`contract: ${contract}`, ...crossCutting.map(describeCommit)],
  };
}
