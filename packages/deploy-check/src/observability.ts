import { readFileSync } from "node:fs";
import { DOMAINS } from "@monograph/domains";
import { parse } from "yaml";

// deploy/observability/prometheus.yml scrapes the gateway and, in the distributed shape, every registered domain
// (promtool checks its syntax in CI, not that a domain is missing from it). A target is found by its `service`
// label, the one the alerts and the dashboard group by, and is expected on the registry's port.

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);

/** The gateway's port: not a domain, so not in the registry (its PORT default, apps/gateway). */
export const GATEWAY_PORT = 4000;

export function scrapeProblems(file: string): string[] {
  let document: Json;
  try {
    document = obj(parse(readFileSync(file, "utf8")));
  } catch (error) {
    return [`${file}: ${(error as Error).message}`];
  }
  const targets = new Map<string, string[]>();
  for (const job of list(document.scrape_configs)) {
    for (const group of list(job.static_configs)) {
      const service = obj(group.labels).service;
      if (typeof service !== "string") continue;
      const addresses = Array.isArray(group.targets) ? group.targets.map(String) : [];
      targets.set(service, [...(targets.get(service) ?? []), ...addresses]);
    }
  }
  const problems: string[] = [];
  for (const { name, defaultPort } of [{ name: "gateway", defaultPort: GATEWAY_PORT }, ...DOMAINS]) {
    const addresses = targets.get(name);
    if (!addresses || addresses.length === 0) problems.push(`prometheus.yml: no scrape target labelled service: ${name}`);
    else if (!addresses.some((address) => address.endsWith(`:${defaultPort}`))) {
      problems.push(`prometheus.yml: the ${name} target (${addresses.join(", ")}) is not on its port ${defaultPort}`);
    }
  }
  return problems;
}
