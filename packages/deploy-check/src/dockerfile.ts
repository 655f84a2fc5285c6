import { readFileSync } from "node:fs";
import { DOMAINS } from "@monograph/domains";
import { GATEWAY_PORT } from "./observability.ts";

/** The Dockerfile's EXPOSE names the gateway's port and every registered domain's (the one image runs each of them). */
export function dockerfileProblems(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return [`${file}: ${(error as Error).message}`];
  }
  const exposed = new Set(
    [...text.matchAll(/^EXPOSE\s+(.+)$/gm)].flatMap((match) => match[1]!.trim().split(/\s+/)).map((port) => port.replace(/\/tcp$/, "")),
  );
  const problems: string[] = [];
  for (const { name, defaultPort } of [{ name: "gateway", defaultPort: GATEWAY_PORT }, ...DOMAINS]) {
    if (!exposed.has(String(defaultPort))) problems.push(`Dockerfile: EXPOSE does not name ${defaultPort} (${name})`);
  }
  return problems;
}
