import type { KubernetesObject } from "./kubernetes.ts";

// What the rendered NetworkPolicies let through, evaluated offline the way Kubernetes does: a pod selected by no
// policy of a direction is open in that direction; a pod selected by some is closed but for what one of their rules
// allows; a connection needs both the source's egress and the destination's ingress. Used to hold the manifests to
// the registry (policy.ts): a domain whose port the policies forget is unreachable from the gateway in a cluster,
// while every offline check of its Deployment passes.

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);

/** A pod as the policies see it: its labels, its namespace, and its named container ports (name -> number). */
export interface Pod {
  labels: Record<string, unknown>;
  namespace: string;
  namedPorts: Record<string, number>;
}

/** The pod of a Deployment's template (labels, namespace, named ports of every container). */
export function podOf(deployment: KubernetesObject): Pod {
  const template = obj(obj(deployment.spec).template);
  const namedPorts: Record<string, number> = {};
  for (const container of list(obj(template.spec).containers)) {
    for (const port of list(container.ports)) if (typeof port.name === "string" && typeof port.containerPort === "number") namedPorts[port.name] = port.containerPort;
  }
  return { labels: obj(obj(template.metadata).labels), namespace: String(deployment.metadata?.namespace ?? "default"), namedPorts };
}

/** A label selector (matchLabels and matchExpressions) against labels; the empty selector selects everything. */
export function selects(selector: unknown, labels: Record<string, unknown>): boolean {
  const { matchLabels, matchExpressions } = obj(selector);
  if (!Object.entries(obj(matchLabels)).every(([key, value]) => labels[key] === value)) return false;
  return list(matchExpressions).every(({ key, operator, values }) => {
    const has = typeof key === "string" && key in labels;
    const among = Array.isArray(values) && has && values.includes(labels[key as string]);
    if (operator === "In") return among;
    if (operator === "NotIn") return !among;
    if (operator === "Exists") return has;
    if (operator === "DoesNotExist") return !has;
    return false;
  });
}

function policyTypes(spec: Json): string[] {
  if (Array.isArray(spec.policyTypes)) return spec.policyTypes.map(String);
  return spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

/**
 * Whether a peer of a rule (`from` or `to`) is the pod. An ipBlock is never taken to match a pod: whether pod
 * addresses fall under it depends on the network plugin, so a rule that needs it to reach a pod is no rule.
 */
function peerIs(peer: Json, pod: Pod, policyNamespace: string): boolean {
  if (peer.ipBlock) return false;
  const namespaceMatches = peer.namespaceSelector
    ? selects(peer.namespaceSelector, { "kubernetes.io/metadata.name": pod.namespace })
    : pod.namespace === policyNamespace;
  return namespaceMatches && (peer.podSelector === undefined || selects(peer.podSelector, pod.labels));
}

/** Whether a rule's `ports` let TCP to `port` of the destination through (a named port is the destination's). */
function portAllowed(ports: unknown, port: number, destination: Pod): boolean {
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return list(ports).some((entry) => {
    if ((entry.protocol ?? "TCP") !== "TCP") return false;
    if (entry.port === undefined) return true;
    const first = typeof entry.port === "string" ? destination.namedPorts[entry.port] : entry.port;
    if (typeof first !== "number") return false;
    return typeof entry.endPort === "number" ? port >= first && port <= entry.endPort : port === first;
  });
}

function allowedIn(direction: "Ingress" | "Egress", policies: KubernetesObject[], self: Pod, peer: Pod, destination: Pod, port: number): boolean {
  const rulesKey = direction === "Ingress" ? "ingress" : "egress";
  const peersKey = direction === "Ingress" ? "from" : "to";
  const selecting = policies.filter((policy) => {
    const spec = obj(policy.spec);
    return String(policy.metadata?.namespace ?? "default") === self.namespace && selects(spec.podSelector, self.labels) && policyTypes(spec).includes(direction);
  });
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    list(obj(policy.spec)[rulesKey]).some((rule) => {
      const peers = rule[peersKey];
      const peerOk = !Array.isArray(peers) || peers.length === 0 || list(peers).some((candidate) => peerIs(candidate, peer, String(policy.metadata?.namespace ?? "default")));
      return peerOk && portAllowed(rule.ports, port, destination);
    }),
  );
}

/** Whether the NetworkPolicies among `objects` let `from` open a TCP connection to `to` on `port`. */
export function networkAllows(objects: KubernetesObject[], from: Pod, to: Pod, port: number): boolean {
  const policies = objects.filter((object) => object.kind === "NetworkPolicy");
  return allowedIn("Egress", policies, from, to, to, port) && allowedIn("Ingress", policies, to, from, to, port);
}
