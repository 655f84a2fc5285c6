// The plan executor's two hottest helpers against @apollo/gateway 2.14's own: the same results for any data. The
// whole executor is compared with stock's by the federation semantics tests (answers, errors, subgraph calls).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deepMerge as stockDeepMerge } from "@apollo/gateway/dist/utilities/deepMerge.js";
import { deepMerge, flattenAtPath } from "./plan-executor.ts";

/** @apollo/gateway 2.14's flattenResultsAtPath (executeQueryPlan.js, not exported), as shipped. */
function stockFlatten(value: unknown, path: (string | number)[]): unknown {
  if (path.length === 0) return value;
  if (value === undefined || value === null) return value;
  const [current, ...rest] = path;
  if (current === "@") return (value as unknown[]).flatMap((element) => stockFlatten(element, rest));
  if (typeof current !== "string" || Array.isArray(value)) throw new Error("unexpected");
  return stockFlatten(Object.prototype.hasOwnProperty.call(value, current) ? (value as Record<string, unknown>)[current] : undefined, rest);
}

const key = fc.constantFrom("a", "b", "c");
/** Results as subgraphs give them: objects of lists of objects, nulls and leaves, keyed by a few names. */
const data = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, fc.constant(null), fc.integer(), fc.string({ maxLength: 2 }), tie("object"), tie("list")),
  object: fc.dictionary(key, tie("value"), { maxKeys: 3 }),
  list: fc.array(tie("value"), { maxLength: 4 }),
})).value;
const path = fc.array(fc.oneof(key, fc.constant("@")), { maxLength: 5 });

function outcome(run: () => unknown): { value?: unknown; threw?: true } {
  try {
    return { value: run() };
  } catch {
    return { threw: true };
  }
}

describe("the plan executor's helpers", () => {
  it("flattenAtPath gives what @apollo/gateway's flattenResultsAtPath gives, or fails where it fails", () => {
    fc.assert(
      fc.property(data, path, (value, at) => {
        expect(outcome(() => flattenAtPath(value, at, 0))).toEqual(outcome(() => stockFlatten(value, at)));
      }),
      { numRuns: 2_000 },
    );
  });

  it("deepMerge merges as @apollo/gateway's deepMerge does, prototype keys included", () => {
    const object = fc.dictionary(fc.oneof(key, fc.constantFrom("constructor", "__proto__", "toString")), data, { maxKeys: 4 });
    fc.assert(
      fc.property(object, object, (target, source) => {
        const ours = structuredClone(target);
        const stock = structuredClone(target);
        // Both fail alike where a leaf meets an object (subgraphs disagreeing on a field's type).
        expect(outcome(() => deepMerge(ours, structuredClone(source)) && "merged")).toEqual(outcome(() => stockDeepMerge(stock, structuredClone(source)) && "merged"));
        expect(ours).toEqual(stock);
        expect(Object.getPrototypeOf(ours)).toBe(Object.getPrototypeOf(stock));
      }),
      { numRuns: 2_000 },
    );
  });
});
