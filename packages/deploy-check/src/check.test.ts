import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkDeployArtifacts, type DeployReport, kubectlPath, validateObject } from "./index.ts";

const DEPLOY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../deploy");

const scratch: string[] = [];
/** A copy of deploy/ to break, in a temporary folder, with the Dockerfile beside it as in the repository. */
function copyOfDeploy(): string {
  const root = mkdtempSync(path.join(tmpdir(), "monograph-deploy-check-"));
  scratch.push(root);
  const dir = path.join(root, "deploy");
  cpSync(DEPLOY_DIR, dir, { recursive: true });
  cpSync(path.join(DEPLOY_DIR, "..", "Dockerfile"), path.join(root, "Dockerfile"));
  return dir;
}
const distributedProblems = (report: DeployReport) => report.overlays.find((overlay) => overlay.overlay === "distributed")!.problems;
function edit(file: string, from: string | RegExp, to: string) {
  const text = readFileSync(file, "utf8");
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`nothing to replace in ${file}`);
  writeFileSync(file, changed);
}

describe("deploy:check", () => {
  beforeAll(() => {
    // CI installs kubectl (.ci/run); elsewhere a missing kubectl is a failure to fix, not a skip.
    expect(kubectlPath(), "kubectl is needed (Debian's kubernetes-client, or KUBECTL)").toBeTruthy();
  });
  afterEach(() => {
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("passes the repository's artifacts: both overlays render, and every object validates and keeps the rules", async () => {
    const report = await checkDeployArtifacts(DEPLOY_DIR);
    expect(report.overlays.map((overlay) => [overlay.overlay, overlay.problems])).toEqual([
      ["distributed", []],
      ["monolith", []],
    ]);
    expect(report.overlays.every((overlay) => overlay.objects > 10)).toBe(true);
    expect(report.secretExample).toEqual([]);
    expect(report.compose).toEqual([]);
    expect(report.observability).toEqual([]);
    expect(report.dockerfile).toEqual([]);
    expect(report.ok).toBe(true);
  }, 120_000);

  it("refuses an overlay that does not render", async () => {
    const dir = copyOfDeploy();
    edit(path.join(dir, "k8s/overlays/distributed/kustomization.yaml"), "  - billing.yaml\n", "  - billing.yaml\n  - missing.yaml\n");
    const report = await checkDeployArtifacts(dir);
    expect(report.ok).toBe(false);
    const distributed = report.overlays.find((overlay) => overlay.overlay === "distributed")!;
    expect(distributed.objects).toBe(0);
    expect(distributed.problems.join("\n")).toMatch(/kubectl kustomize .*missing\.yaml/s);
  }, 120_000);

  it("refuses an object that breaks its Kubernetes schema, or carries a field the schema does not have", async () => {
    const dir = copyOfDeploy();
    edit(path.join(dir, "k8s/overlays/distributed/users.yaml"), "  replicas: 2\n", "  replicas: two\n");
    edit(path.join(dir, "k8s/base/nats.yaml"), "          livenessProbe:\n", "          livenesProbe:\n");
    const report = await checkDeployArtifacts(dir);
    const problems = report.overlays.flatMap((overlay) => overlay.problems).join("\n");
    expect(problems).toContain("Deployment/users: /spec/replicas must be integer");
    expect(problems).toContain("StatefulSet/nats: /spec/template/spec/containers/0/livenesProbe is not a field of StatefulSet (apps/v1)");
    expect(report.ok).toBe(false);
  }, 120_000);

  it("refuses a manifest that breaks a house rule (a writable root filesystem, a secret as a value, a missing PDB)", async () => {
    const dir = copyOfDeploy();
    edit(path.join(dir, "k8s/overlays/distributed/orders.yaml"), /readOnlyRootFilesystem: true/, "readOnlyRootFilesystem: false");
    edit(path.join(dir, "k8s/overlays/distributed/billing.yaml"), /---\n# A drain takes one replica at a time[\s\S]*$/, "");
    const reference = ["            - name: JWT_SECRET", "              valueFrom:", "                secretKeyRef:", "                  name: monograph-secrets", "                  key: JWT_SECRET", ""].join("\n");
    edit(path.join(dir, "k8s/overlays/distributed/inventory.yaml"), reference, '            - name: JWT_SECRET\n              value: "not-a-reference"\n');
    const report = await checkDeployArtifacts(dir);
    const problems = report.overlays.find((overlay) => overlay.overlay === "distributed")!.problems.join("\n");
    expect(problems).toContain("Deployment/orders container migrate: readOnlyRootFilesystem must be true");
    expect(problems).toContain("PodDisruptionBudget for billing: missing");
    expect(problems).toContain("Deployment/inventory container inventory: JWT_SECRET must come from a Secret");
  }, 120_000);

  it("refuses a compose file whose apps do not wait for the migration, or that holds a secret", async () => {
    const dir = copyOfDeploy();
    edit(path.join(dir, "compose.yaml"), "    condition: service_completed_successfully", "    condition: service_started");
    edit(path.join(dir, "compose.yaml"), "      PORT: \"4004\"\n", "      PORT: \"4004\"\n      INTERNAL_SECRET: written-in-the-file\n");
    const report = await checkDeployArtifacts(dir);
    expect(report.compose).toContain("compose: users must wait for migrate (condition: service_completed_successfully)");
    expect(report.compose).toContain("compose: billing.environment.INTERNAL_SECRET holds a value; refer to a variable (${...}) instead");
  }, 120_000);

  it("when the subgraphs' ingress policy leaves out a registered domain's port, then the gateway is reported unable to reach it", async () => {
    const dir = copyOfDeploy();
    edit(path.join(dir, "k8s/base/networkpolicy.yaml"), /(name: subgraphs-from-gateway[\s\S]*?) {8}- port: 4005\n {10}protocol: TCP\n/, "$1");
    const report = await checkDeployArtifacts(dir);
    expect(distributedProblems(report)).toEqual([
      "NetworkPolicy: the gateway cannot reach notifications on its port 4005 (allow it in subgraphs-from-gateway and apps-egress)",
    ]);
    expect(report.ok).toBe(false);
  }, 120_000);

  it("when the apps' egress policy leaves out a registered domain's port, then the gateway is reported unable to reach it", async () => {
    const dir = copyOfDeploy();
    edit(path.join(dir, "k8s/base/networkpolicy.yaml"), /(name: apps-egress[\s\S]*?) {8}- port: 4005\n {10}protocol: TCP\n/, "$1");
    const report = await checkDeployArtifacts(dir);
    expect(distributedProblems(report)).toEqual([
      "NetworkPolicy: the gateway cannot reach notifications on its port 4005 (allow it in subgraphs-from-gateway and apps-egress)",
    ]);
  }, 120_000);

  it("when a registered domain has no Deployment and Service in the distributed overlay, nor a compose service, then each is reported", async () => {
    const dir = copyOfDeploy();
    edit(path.join(dir, "k8s/overlays/distributed/kustomization.yaml"), "  - notifications.yaml\n", "");
    edit(path.join(dir, "compose.yaml"), /\n {2}notifications:\n[\s\S]*?depends_on: \*after-migration\n/, "\n");
    const report = await checkDeployArtifacts(dir);
    expect(distributedProblems(report)).toEqual(["Deployment/notifications: missing"]);
    expect(report.compose).toContain("compose: service notifications is missing");
  }, 120_000);

  it("when a domain listens, or the gateway calls it, on another port than the registry's, or calls a Service that is not its own, then it is reported", async () => {
    const dir = copyOfDeploy();
    edit(path.join(dir, "k8s/overlays/distributed/notifications.yaml"), "              value: \"4005\"\n", "              value: \"4006\"\n");
    edit(path.join(dir, "k8s/overlays/distributed/kustomization.yaml"), "http://notifications:4005/graphql", "http://notification:4005/graphql");
    edit(path.join(dir, "compose.yaml"), "NOTIFICATIONS_SUBGRAPH_URL: http://notifications:4005/graphql", "NOTIFICATIONS_SUBGRAPH_URL: http://notifications:4006/graphql");
    const report = await checkDeployArtifacts(dir);
    expect(distributedProblems(report)).toEqual([
      "Deployment/notifications: PORT is 4006, not the registry's 4005 (packages/domains)",
      "Deployment/gateway: NOTIFICATIONS_SUBGRAPH_URL (http://notification:4005/graphql) must point at the notifications Service, on a port that leads to 4005",
    ]);
    expect(report.compose).toEqual(["compose: gateway.environment.NOTIFICATIONS_SUBGRAPH_URL must be http://notifications:4005/graphql"]);
  }, 120_000);

  it("when an overlay's own objects are rendered without the namespace, then each is reported", async () => {
    const dir = copyOfDeploy();
    edit(path.join(dir, "k8s/overlays/distributed/kustomization.yaml"), "namespace: monograph\n", "");
    const problems = distributedProblems(await checkDeployArtifacts(dir));
    expect(problems).toContain("Deployment/notifications: must be in the namespace monograph (set namespace: in its kustomization)");
    expect(problems).toContain("Service/users: must be in the namespace monograph (set namespace: in its kustomization)");
  }, 120_000);

  it("when a registered domain has no scrape target, or the image does not expose its port, then it is reported", async () => {
    const dir = copyOfDeploy();
    edit(path.join(dir, "observability/prometheus.yml"), / {6}- targets: \["127\.0\.0\.1:4005"\]\n {8}labels:\n {10}service: notifications\n/, "");
    edit(path.join(dir, "observability/prometheus.yml"), "127.0.0.1:4004", "127.0.0.1:4014");
    edit(path.join(dir, "..", "Dockerfile"), /^EXPOSE (.*) 4005$/m, "EXPOSE $1");
    const report = await checkDeployArtifacts(dir);
    expect(report.observability).toEqual([
      "prometheus.yml: the billing target (127.0.0.1:4014) is not on its port 4004",
      "prometheus.yml: no scrape target labelled service: notifications",
    ]);
    expect(report.dockerfile).toEqual(["Dockerfile: EXPOSE does not name 4005 (notifications)"]);
    expect(report.ok).toBe(false);
  }, 120_000);

  it("knows no kind it cannot validate", () => {
    expect(validateObject({ apiVersion: "v1", kind: "ConfigMapp", metadata: { name: "x" } })).toEqual(["ConfigMapp/x: unknown kind ConfigMapp in v1"]);
  });
});
