import { describe, expect, it } from "vitest";
import { byKeyLoader, groupedByKeyLoader, isUuid } from "./loaders.ts";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";
const C = "00000000-0000-4000-8000-00000000000c";

describe("by-key loaders", () => {
  it("when a request loads several keys, then one fetch answers them in key order, with null for a key nothing matched", async () => {
    const calls: string[][] = [];
    const loader = byKeyLoader(
      async (ids: string[]) => {
        calls.push(ids);
        return [{ id: C, name: "c" }, { id: A, name: "a" }];
      },
      (row) => row.id,
    );
    expect(await Promise.all([loader.load(A), loader.load(B), loader.load(C)])).toEqual([{ id: A, name: "a" }, null, { id: C, name: "c" }]);
    expect(calls).toEqual([[A, B, C]]);
  });

  it("when a key cannot match (a forged reference), then it is null without reaching the fetch, and a batch of only such keys runs no fetch", async () => {
    const calls: string[][] = [];
    const loader = byKeyLoader(
      async (ids: string[]) => {
        calls.push(ids);
        return ids.map((id) => ({ id }));
      },
      (row) => row.id,
      { accepts: isUuid },
    );
    expect(await Promise.all([loader.load("'; DROP TABLE x; --"), loader.load(A)])).toEqual([null, { id: A }]);
    expect(await loader.load("not-a-uuid")).toBeNull();
    expect(calls).toEqual([[A]]);
  });

  it("when rows are grouped by key, then each key gets its rows in fetch order, and [] when it has none", async () => {
    const loader = groupedByKeyLoader(
      async () => [
        { orderId: A, line: 1 },
        { orderId: C, line: 1 },
        { orderId: A, line: 2 },
      ],
      (row) => row.orderId,
      { accepts: isUuid },
    );
    expect(await Promise.all([loader.load(A), loader.load(B), loader.load(C), loader.load("x")])).toEqual([
      [{ orderId: A, line: 1 }, { orderId: A, line: 2 }],
      [],
      [{ orderId: C, line: 1 }],
      [],
    ]);
  });

  it("isUuid accepts UUIDs of any case and nothing else", () => {
    expect(isUuid(A.toUpperCase())).toBe(true);
    expect([A.slice(1), `${A}0`, 42, null, undefined].map(isUuid)).toEqual([false, false, false, false, false]);
  });
});
