import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { DomainSpec } from "./config.ts";
import type { CheckRow } from "./types.ts";

/** Where GitHub looks for CODEOWNERS, in its order: the first one found is the one that counts. */
export const CODEOWNERS_LOCATIONS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

export interface CodeownersRule {
  line: number;
  pattern: string;
  owners: string[];
  regex: RegExp;
}

/**
 * A CODEOWNERS pattern as GitHub reads it (gitignore rules, without negation): "/" at the start anchors it at the
 * root, as does a "/" in the middle; otherwise it matches at any depth. "*" stays in one path segment, "**" crosses
 * them, a trailing "/" means a folder, and a pattern that names a folder covers everything under it.
 */
export function patternToRegex(pattern: string): RegExp {
  let body = pattern;
  const anchored = body.startsWith("/") || body.replace(/\/$/, "").includes("/");
  body = body.replace(/^\//, "").replace(/\/$/, "");
  let regex = "";
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char === "*" && body[i + 1] === "*") {
      // "**/" matches zero or more folders; a trailing "**" everything below.
      if (body[i + 2] === "/") {
        regex += "(?:.*/)?";
        i += 2;
      } else {
        regex += ".*";
        i += 1;
      }
    } else if (char === "*") regex += "[^/]*";
    else if (char === "?") regex += "[^/]";
    else regex += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${anchored ? "" : "(?:.*/)?"}${regex}(?:/.*)?$`);
}

export function parseCodeowners(text: string): CodeownersRule[] {
  const rules: CodeownersRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) return;
    const [pattern = "", ...owners] = line.split(/\s+/);
    rules.push({ line: index + 1, pattern, owners, regex: patternToRegex(pattern) });
  });
  return rules;
}

/** The rule that decides a file's owners: the last matching one (a matching rule with no owners clears them). */
export function ruleFor(rules: readonly CodeownersRule[], file: string): CodeownersRule | undefined {
  for (let i = rules.length - 1; i >= 0; i--) if (rules[i]!.regex.test(file)) return rules[i];
  return undefined;
}

export function findCodeowners(root: string): string | undefined {
  return CODEOWNERS_LOCATIONS.find((location) => existsSync(path.join(root, location)));
}

export function checkOwned(root: string, domain: DomainSpec, minOwners: number, codeownersFile?: string): CheckRow {
  const base = { id: "owned" as const, title: "Owned", required: true };
  const location = codeownersFile ?? findCodeowners(root);
  if (!location) {
    return { ...base, verdict: "fail", summary: `no CODEOWNERS (looked in ${CODEOWNERS_LOCATIONS.join(", ")})`, evidence: [`add a rule: /${domain.folder}/ @team-member-1 @team-member-2`] };
  }
  const rules = parseCodeowners(readFileSync(path.resolve(root, location), "utf8"));
  // The folder and each contract file: a later, narrower rule may give a contract file fewer owners.
  const probes = [`${domain.folder}/package.json`, ...domain.contract.filter((file) => existsSync(path.join(root, file)))];
  const decided = probes.map((file) => ({ file, rule: ruleFor(rules, file) }));
  const fewest = Math.min(...decided.map(({ rule }) => rule?.owners.length ?? 0));
  const byRule = new Map<string, string[]>();
  for (const { file, rule } of decided) {
    const key = rule ? `${location}:${rule.line} ${rule.pattern} -> ${rule.owners.join(" ") || "(no owners)"}` : "no rule";
    byRule.set(key, [...(byRule.get(key) ?? []), file]);
  }
  const evidence = [...byRule].map(([rule, files]) => `${rule} (${files.length === probes.length ? `${domain.folder}/ and its contract` : files.join(", ")})`);
  const data = { file: location, minOwners, owners: decided.map(({ file, rule }) => ({ file, line: rule?.line, owners: rule?.owners ?? [] })) };
  const owners = [...new Set(decided.flatMap(({ rule }) => rule?.owners ?? []))];
  if (fewest >= minOwners) return { ...base, verdict: "pass", summary: `${owners.join(", ")} own ${domain.folder}/ (at least ${minOwners} needed)`, evidence, data };
  return { ...base, verdict: "fail", summary: `${fewest} owner${fewest === 1 ? "" : "s"} for ${domain.folder}/ in ${location}; at least ${minOwners} needed`, evidence, data };
}
