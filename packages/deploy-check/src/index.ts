import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { composeProblems } from "./compose.ts";
import { dockerfileProblems } from "./dockerfile.ts";
import { parseManifests, renderKustomization, validateObject } from "./kubernetes.ts";
import { scrapeProblems } from "./observability.ts";
import { policyProblems } from "./policy.ts";

export { composeProblems } from "./compose.ts";
export { dockerfileProblems } from "./dockerfile.ts";
export { networkAllows, podOf, type Pod } from "./network.ts";
export { scrapeProblems } from "./observability.ts";
export { kubectlPath, parseManifests, renderKustomization, validateObject } from "./kubernetes.ts";
export { policyProblems } from "./policy.ts";

export interface OverlayReport {
  overlay: string;
  /** How many objects it rendered to (0 when it did not render). */
  objects: number;
  problems: string[];
}

export interface DeployReport {
  overlays: OverlayReport[];
  /** k8s/secret.example.yaml: the Secret the manifests reference, with placeholders (validated, never applied). */
  secretExample: string[];
  compose: string[];
  /** observability/prometheus.yml: a scrape target for the gateway and every registered domain. */
  observability: string[];
  /** The Dockerfile beside deploy/: EXPOSE names every process's port. */
  dockerfile: string[];
  ok: boolean;
}

/**
 * Checks the deployment artifacts under `deployDir` (the repository's deploy/): every overlay of k8s/overlays
 * renders with `kubectl kustomize`, every rendered object (and k8s/secret.example.yaml) validates against the
 * Kubernetes schemas with no unknown field and keeps the house rules, and compose.yaml keeps its shape. Each of them,
 * and the scrape configuration and the image's Dockerfile (`dockerfile`, by default the one beside `deployDir`),
 * has every domain of the registry (packages/domains) on its port.
 */
export async function checkDeployArtifacts(deployDir: string, dockerfile = path.join(deployDir, "..", "Dockerfile")): Promise<DeployReport> {
  const overlaysDir = path.join(deployDir, "k8s", "overlays");
  const overlays: OverlayReport[] = [];
  const names = existsSync(overlaysDir) ? readdirSync(overlaysDir).sort() : [];
  if (names.length === 0) overlays.push({ overlay: "(none)", objects: 0, problems: [`no overlays in ${overlaysDir}`] });
  for (const overlay of names) {
    try {
      const objects = await renderKustomization(path.join(overlaysDir, overlay));
      const shape = overlay === "distributed" ? "distributed" : "monolith";
      overlays.push({ overlay, objects: objects.length, problems: [...objects.flatMap(validateObject), ...policyProblems(objects, shape)] });
    } catch (error) {
      overlays.push({ overlay, objects: 0, problems: [(error as Error).message] });
    }
  }
  const example = path.join(deployDir, "k8s", "secret.example.yaml");
  let secretExample: string[];
  try {
    secretExample = parseManifests(readFileSync(example, "utf8"), example).flatMap(validateObject);
  } catch (error) {
    secretExample = [(error as Error).message];
  }
  const compose = composeProblems(path.join(deployDir, "compose.yaml"));
  const observability = scrapeProblems(path.join(deployDir, "observability", "prometheus.yml"));
  const docker = dockerfileProblems(dockerfile);
  const ok = overlays.every((report) => report.problems.length === 0) && [secretExample, compose, observability, docker].every((problems) => problems.length === 0);
  return { overlays, secretExample, compose, observability, dockerfile: docker, ok };
}
