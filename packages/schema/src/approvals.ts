// The reviewed path to green: a reviewer approves one specific breaking change in packages/schema/schema-approvals.json,
// in the same pull request, where the diff shows who approved what and why.
import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "./errors.ts";

export const APPROVALS_FILE = "packages/schema/schema-approvals.json";

/** One approved breaking change. */
export interface Approval {
  /** The change's coordinate, as the report prints it: `Product.price`, `Query.products(filter:)`, `Product`. */
  coordinate: string;
  /** The change's type, as the report prints it: `FIELD_REMOVED`, `ENTITY_KEY_CHANGED`... */
  change: string;
  /** Why it is fine to break it (who was told, what replaces it). */
  reason: string;
  /** Who approved it. */
  approvedBy: string;
  /** For a federation change: the subgraph; omitted, any subgraph. */
  subgraph?: string;
  /** `YYYY-MM-DD` (valid through that day, UTC) or an ISO instant; after it, the approval no longer applies. */
  expires?: string;
}

export interface ApprovalsReport {
  file?: string;
  /** Approvals that let a breaking change through. */
  applied: Approval[];
  /** Approvals that match no change of this check: left over from a merged change, or mistyped. */
  unused: Approval[];
  /** Approvals past their expiry: they approve nothing. */
  expired: Approval[];
}

const REQUIRED = ["coordinate", "change", "reason", "approvedBy"] as const;

/** Reads an approvals file; a missing file is no approvals. A malformed one is a usage error (exit code 2). */
export function readApprovals(file: string): Approval[] {
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const approvals = (parsed as { approvals?: unknown }).approvals;
  if (!Array.isArray(approvals)) throw new UsageError(`${file} must hold { "approvals": [ ... ] }`);
  return approvals.map((entry: Record<string, unknown>, index) => {
    for (const key of REQUIRED) {
      if (typeof entry?.[key] !== "string" || !String(entry[key]).trim()) throw new UsageError(`${file}: approval ${index + 1} needs a non-empty "${key}"`);
    }
    if (entry["expires"] !== undefined && (typeof entry["expires"] !== "string" || Number.isNaN(Date.parse(entry["expires"])))) {
      throw new UsageError(`${file}: approval ${index + 1} has an "expires" that is not a date (YYYY-MM-DD)`);
    }
    return entry as unknown as Approval;
  });
}

/** The first instant an approval no longer applies. */
function expiryOf(approval: Approval): number | undefined {
  if (!approval.expires) return undefined;
  const at = Date.parse(approval.expires);
  return /^\d{4}-\d{2}-\d{2}$/.test(approval.expires) ? at + 86_400_000 : at;
}

export const isExpired = (approval: Approval, now: Date): boolean => {
  const expiry = expiryOf(approval);
  return expiry !== undefined && now.getTime() >= expiry;
};

export const approves = (approval: Approval, change: { coordinate: string; type: string; subgraph?: string }): boolean =>
  approval.coordinate === change.coordinate && approval.change === change.type && (approval.subgraph === undefined || approval.subgraph === change.subgraph);
