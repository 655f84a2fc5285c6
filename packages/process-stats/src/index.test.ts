import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { commandOf, cpuMsOf, descendantsOf, mib, rssOf, treeCpuMs } from "./index.ts";

/** A node child that burns CPU for `busyMs`, says so on stdout, then idles until killed. */
async function busyChild(busyMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", `const end = Date.now() + ${busyMs}; while (Date.now() < end); console.log("done"); setInterval(() => {}, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
  await once(child.stdout!, "data");
  return child;
}

describe("a process tree, read from /proc", () => {
  it("when a child process runs, then it is a descendant of this process, with a command name and a resident size", async () => {
    const child = await busyChild(0);
    try {
      expect(descendantsOf(process.pid)).toContain(child.pid);
      expect(commandOf(child.pid!)).toMatch(/node/);
      expect(rssOf(child.pid!)).toBeGreaterThan(1024 * 1024);
    } finally {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  });

  it("when a child has burnt CPU, then the tree's CPU time counts it, and once the child is gone it reads as nothing", async () => {
    const before = treeCpuMs(process.pid);
    const child = await busyChild(300);
    const pid = child.pid!;
    try {
      expect(cpuMsOf(pid)).toBeGreaterThanOrEqual(200);
      expect(treeCpuMs(process.pid) - before).toBeGreaterThanOrEqual(200);
    } finally {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    expect([rssOf(pid), cpuMsOf(pid), commandOf(pid)]).toEqual([undefined, 0, "?"]);
  });

  it("sizes print in MiB, and an unknown one as n/a", () => {
    expect([mib(3 * 1024 * 1024), mib(undefined)]).toEqual(["3.0 MiB", "n/a"]);
  });
});
