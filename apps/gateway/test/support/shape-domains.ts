import { SUBGRAPH_NAMES, type SubgraphName } from "../../src/env.ts";

/**
 * The runtime shapes of ARCHITECTURE.md. In a hybrid shape one subgraph leaves the process (the strangler-fig
 * step): "hybrid-<name>" moves that one out ("hybrid-orders": orders, which then reserves stock through the
 * gateway); plain "hybrid" moves inventory out, or the domain named by E2E_HYBRID_DOMAIN, so that the whole
 * end-to-end suite can run with any one domain in its own process:
 *
 *   E2E_HYBRID_DOMAIN=billing npm test --workspace @monograph/gateway -- test/e2e -t "in the hybrid shape"
 */
export type Shape = "monolith" | "hybrid" | `hybrid-${SubgraphName}` | "distributed";

/** The env var that picks the domain the "hybrid" shape runs in a process of its own (default: inventory). */
export const HYBRID_DOMAIN_ENV = "E2E_HYBRID_DOMAIN";

export function hybridDomain(env: NodeJS.ProcessEnv = process.env): SubgraphName {
  const name = env[HYBRID_DOMAIN_ENV]?.trim();
  if (!name) return "inventory";
  if (!(SUBGRAPH_NAMES as readonly string[]).includes(name)) throw new Error(`${HYBRID_DOMAIN_ENV}=${name}: not a domain; one of ${SUBGRAPH_NAMES.join(", ")}.`);
  return name as SubgraphName;
}

/** The subgraphs a shape runs in processes of their own, or undefined when the name is no shape. */
export function remoteSubgraphsOf(shape: string, env: NodeJS.ProcessEnv = process.env): readonly SubgraphName[] | undefined {
  if (shape === "monolith") return [];
  if (shape === "distributed") return SUBGRAPH_NAMES;
  if (shape === "hybrid") return [hybridDomain(env)];
  const name = /^hybrid-(.+)$/.exec(shape)?.[1];
  return name && (SUBGRAPH_NAMES as readonly string[]).includes(name) ? [name as SubgraphName] : undefined;
}
