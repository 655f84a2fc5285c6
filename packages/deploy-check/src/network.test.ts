import { describe, expect, it } from "vitest";
import type { KubernetesObject } from "./kubernetes.ts";
import { networkAllows, type Pod } from "./network.ts";

const pod = (name: string, role: string, namedPorts: Record<string, number> = {}): Pod => ({
  labels: { "app.kubernetes.io/name": name, "monograph/role": role },
  namespace: "monograph",
  namedPorts,
});
const gateway = pod("gateway", "gateway");
const orders = pod("orders", "subgraph", { http: 4003 });
const policy = (name: string, spec: Record<string, unknown>): KubernetesObject => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: "monograph" }, spec });
const denyAll = policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
const gatewayOut = (ports: unknown[]) =>
  policy("gateway-out", { podSelector: { matchLabels: { "app.kubernetes.io/name": "gateway" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { "monograph/role": "subgraph" } } }], ports }] });
const subgraphsIn = (ports: unknown[], from: unknown[] = [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "gateway" } } }]) =>
  policy("subgraphs-in", { podSelector: { matchExpressions: [{ key: "monograph/role", operator: "In", values: ["subgraph"] }] }, policyTypes: ["Ingress"], ingress: [{ from, ports }] });

describe("what the network policies let through", () => {
  it("when no policy selects either pod, then everything is open", () => {
    expect(networkAllows([], gateway, orders, 4003)).toBe(true);
  });

  it("when everything is denied by default, then only a port allowed both out of the source and into the destination is open", () => {
    const objects = [denyAll, gatewayOut([{ port: 4003 }]), subgraphsIn([{ port: 4003, protocol: "TCP" }])];
    expect(networkAllows(objects, gateway, orders, 4003)).toBe(true);
    expect(networkAllows(objects, gateway, orders, 4004)).toBe(false);
    expect(networkAllows([denyAll, subgraphsIn([{ port: 4003 }])], gateway, orders, 4003)).toBe(false);
    expect(networkAllows([denyAll, gatewayOut([{ port: 4003 }])], gateway, orders, 4003)).toBe(false);
  });

  it("reads port ranges, named ports of the destination, and a rule without ports as every port", () => {
    expect(networkAllows([denyAll, gatewayOut([{ port: 4001, endPort: 4009 }]), subgraphsIn([{ port: "http" }])], gateway, orders, 4003)).toBe(true);
    expect(networkAllows([denyAll, gatewayOut([]), subgraphsIn([{ port: "metrics" }])], gateway, orders, 4003)).toBe(false);
    expect(networkAllows([denyAll, gatewayOut([{ port: 4003, protocol: "UDP" }]), subgraphsIn([])], gateway, orders, 4003)).toBe(false);
  });

  it("when a rule's peer is another pod, an ipBlock, or a pod of another namespace, then it does not let the source in", () => {
    expect(networkAllows([denyAll, gatewayOut([]), subgraphsIn([], [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "users" } } }])], gateway, orders, 4003)).toBe(false);
    expect(networkAllows([denyAll, gatewayOut([]), subgraphsIn([], [{ ipBlock: { cidr: "0.0.0.0/0" } }])], gateway, orders, 4003)).toBe(false);
    const elsewhere = { ...gateway, namespace: "other" };
    expect(networkAllows([denyAll, subgraphsIn([])], elsewhere, orders, 4003)).toBe(false);
    expect(networkAllows([denyAll, subgraphsIn([], [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } } }])], elsewhere, orders, 4003)).toBe(true);
  });
});
