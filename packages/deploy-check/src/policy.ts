import { DOMAINS, envPrefixOf } from "@monograph/domains";
import type { KubernetesObject } from "./kubernetes.ts";
import { describeObject } from "./kubernetes.ts";
import { networkAllows, podOf } from "./network.ts";

// The house rules the rendered manifests keep, beyond the Kubernetes schemas (README, "Deploying").

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);

// Every registered domain runs as its own Deployment in the distributed overlay, on its port of the registry.
const SUBGRAPHS: readonly { name: string; defaultPort: number }[] = DOMAINS;
const SECRET_LIKE = /SECRET|PASSWORD|TOKEN|^DATABASE_URL$|^REDIS_URL$/;

function podSpecOf(object: KubernetesObject): Json | undefined {
  if (!["Deployment", "StatefulSet", "Job"].includes(String(object.kind))) return undefined;
  return obj(obj(obj(object.spec).template).spec);
}

/** Problems of one shape's rendered objects against the house rules; `shape` says which rules apply. */
export function policyProblems(objects: KubernetesObject[], shape: "monolith" | "distributed"): string[] {
  const problems: string[] = [];
  const find = (kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata?.name === name);

  for (const object of objects) {
    const where = describeObject(object);
    if (object.kind === "Secret") problems.push(`${where}: secrets are referenced (secretKeyRef), never rendered into the manifests`);
    const pod = podSpecOf(object);
    if (!pod) continue;
    const podSecurity = obj(pod.securityContext);
    if (podSecurity.runAsNonRoot !== true) problems.push(`${where}: the pod must set securityContext.runAsNonRoot: true`);
    if (pod.automountServiceAccountToken !== false) problems.push(`${where}: the pod must not mount a service account token`);
    const containers = [...list(pod.initContainers), ...list(pod.containers)];
    for (const container of containers) {
      const at = `${where} container ${String(container.name)}`;
      const security = obj(container.securityContext);
      if (security.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation must be false`);
      if (security.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem must be true`);
      if (!list([obj(security.capabilities)]).some((caps) => Array.isArray(caps.drop) && caps.drop.includes("ALL"))) problems.push(`${at}: capabilities must drop ALL`);
      const resources = obj(container.resources);
      for (const side of ["requests", "limits"]) for (const resource of ["cpu", "memory"]) {
        if (obj(resources[side])[resource] === undefined) problems.push(`${at}: resources.${side}.${resource} is missing`);
      }
      for (const variable of list(container.env)) {
        if (typeof variable.name === "string" && SECRET_LIKE.test(variable.name) && !obj(obj(variable.valueFrom).secretKeyRef).name) {
          problems.push(`${at}: ${variable.name} must come from a Secret (valueFrom.secretKeyRef), not a value`);
        }
      }
    }
    if (object.kind === "Deployment") {
      const main = list(pod.containers)[0] ?? {};
      const probePath = (probe: unknown) => obj(obj(probe).httpGet).path;
      if (probePath(main.livenessProbe) !== "/health") problems.push(`${where}: livenessProbe must be GET /health`);
      if (probePath(main.readinessProbe) !== "/ready") problems.push(`${where}: readinessProbe must be GET /ready`);
      const usesDatabase = list(main.env).some((variable) => variable.name === "DATABASE_URL");
      const migrates = list(pod.initContainers).some((init) => Array.isArray(init.args) && init.args[0] === "migrate");
      if (usesDatabase && !migrates) problems.push(`${where}: a Deployment that uses the database runs the migration first (initContainer migrate)`);
    }
  }

  // One namespace for everything: the one the manifests create. An object rendered without it lands in kubectl's
  // current namespace, where neither its ConfigMap nor its NetworkPolicies nor its callers are.
  const namespaces = objects.filter((object) => object.kind === "Namespace").map((object) => String(object.metadata?.name));
  if (namespaces.length !== 1) problems.push(`Namespace: exactly one is expected, not ${namespaces.length}`);
  for (const object of objects) {
    if (object.kind !== "Namespace" && namespaces.length === 1 && object.metadata?.namespace !== namespaces[0]) {
      problems.push(`${describeObject(object)}: must be in the namespace ${namespaces[0]} (set namespace: in its kustomization)`);
    }
  }

  const job = find("Job", "monograph-migrate");
  if (!job) problems.push("Job/monograph-migrate: the migration Job is missing");

  const nats = find("StatefulSet", "nats");
  if (!nats) problems.push("StatefulSet/nats: the NATS JetStream cluster is missing");
  else {
    const spec = obj(nats.spec);
    if (spec.replicas !== 3) problems.push("StatefulSet/nats: a JetStream cluster of 3 servers is expected");
    const headless = find("Service", String(spec.serviceName));
    if (!headless || obj(headless.spec).clusterIP !== "None") problems.push("StatefulSet/nats: its serviceName must be a headless Service");
    if (list(spec.volumeClaimTemplates).length === 0) problems.push("StatefulSet/nats: JetStream file storage needs a volumeClaimTemplate");
  }

  const policies = objects.filter((object) => object.kind === "NetworkPolicy");
  const denyAll = policies.some((policy) => Object.keys(obj(obj(policy.spec).podSelector)).length === 0 && !obj(policy.spec).ingress);
  if (!denyAll) problems.push("NetworkPolicy: a default-deny policy (podSelector: {}) is expected");

  if (shape === "distributed") {
    const subgraphIngress = policies.find((policy) => obj(obj(obj(policy.spec).podSelector).matchLabels)["monograph/role"] === "subgraph");
    const from = list(obj(list(obj(subgraphIngress?.spec).ingress)[0]).from);
    if (!subgraphIngress || from.length !== 1 || obj(obj(from[0]?.podSelector).matchLabels)["app.kubernetes.io/name"] !== "gateway") {
      problems.push("NetworkPolicy: the subgraphs must be reachable from the gateway only");
    }
    const gateway = find("Deployment", "gateway");
    const gatewayEnv = list(list(podSpecOf(gateway ?? {})?.containers)[0]?.env);
    for (const { name, defaultPort } of SUBGRAPHS) {
      const deployment = find("Deployment", name);
      if (!deployment) {
        problems.push(`Deployment/${name}: missing`);
        continue;
      }
      const labels = obj(obj(obj(deployment.spec).selector).matchLabels);
      const selects = (selector: unknown) => Object.entries(obj(selector)).every(([key, value]) => labels[key] === value) && Object.keys(obj(selector)).length > 0;
      if (!objects.some((object) => object.kind === "Service" && selects(obj(object.spec).selector))) problems.push(`Service for ${name}: missing`);
      if (!objects.some((object) => object.kind === "PodDisruptionBudget" && selects(obj(obj(object.spec).selector).matchLabels))) problems.push(`PodDisruptionBudget for ${name}: missing`);
      if (!objects.some((object) => object.kind === "HorizontalPodAutoscaler" && obj(obj(object.spec).scaleTargetRef).name === name)) problems.push(`HorizontalPodAutoscaler for ${name}: missing`);
      const pod = podSpecOf(deployment)!;
      const port = list(list(pod.containers)[0]?.env).find((variable) => variable.name === "PORT")?.value;
      if (port === undefined) problems.push(`Deployment/${name}: PORT must be set`);
      // One number for a domain's port, the registry's: the policies, the Service and the gateway's URL follow it.
      else if (port !== String(defaultPort)) problems.push(`Deployment/${name}: PORT is ${String(port)}, not the registry's ${defaultPort} (packages/domains)`);
      if (gateway && !networkAllows(objects, podOf(gateway), podOf(deployment), defaultPort)) {
        problems.push(`NetworkPolicy: the gateway cannot reach ${name} on its port ${defaultPort} (allow it in subgraphs-from-gateway and apps-egress)`);
      }
      const variable = `${envPrefixOf(name)}_SUBGRAPH_URL`;
      const url = gatewayEnv.find((entry) => entry.name === variable)?.value;
      if (typeof url !== "string") {
        problems.push(`Deployment/gateway: ${variable} must point at the ${name} Service`);
        continue;
      }
      // The URL names a Service (its first DNS label) that selects the domain's pods, on a port that leads to the
      // registry's port (a targetPort by number or by the container port's name).
      const target = URL.canParse(url) ? new URL(url) : undefined;
      const named = objects.find((object) => object.kind === "Service" && object.metadata?.name === target?.hostname.split(".")[0]);
      const servicePort = list(obj(named?.spec).ports).find((entry) => String(entry.port) === target?.port);
      const targetPort = servicePort?.targetPort ?? servicePort?.port;
      const reachesPort = typeof targetPort === "string" ? podOf(deployment).namedPorts[targetPort] === defaultPort : targetPort === defaultPort;
      if (!named || !selects(obj(named.spec).selector) || !reachesPort) {
        problems.push(`Deployment/gateway: ${variable} (${url}) must point at the ${name} Service, on a port that leads to ${defaultPort}`);
      }
    }
  }
  return problems;
}
