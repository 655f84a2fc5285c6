import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { captureLogs } from "@monograph/telemetry/testing";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { DEV_INTERNAL_SECRET, DEV_JWT_SECRET } from "./config.ts";
import { fromRepoRoot, REPO_ROOT } from "./paths.ts";
import { runSubgraphProcess, stopOnSignals, subgraphProcessEnvSchema } from "./process.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

/** The listeners `register` adds for SIGINT and SIGTERM; removed again so the test process keeps its own. */
function signalListenersAddedBy(register: () => void): { SIGINT: (() => void)[]; SIGTERM: (() => void)[] } {
  const before = { SIGINT: process.listeners("SIGINT"), SIGTERM: process.listeners("SIGTERM") };
  register();
  const added = {
    SIGINT: process.listeners("SIGINT").filter((listener) => !before.SIGINT.includes(listener)) as (() => void)[],
    SIGTERM: process.listeners("SIGTERM").filter((listener) => !before.SIGTERM.includes(listener)) as (() => void)[],
  };
  for (const listener of added.SIGINT) process.removeListener("SIGINT", listener);
  for (const listener of added.SIGTERM) process.removeListener("SIGTERM", listener);
  return added;
}

describe("runSubgraphProcess", () => {
  it("when NODE_ENV=production still has the development secrets, then the process exits 1 before opening a database or building the subgraph", async () => {
    const exit = vi.spyOn(process, "exit").mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const printed = captureLogs();
    onTestFinished(() => printed.restore());
    const build = vi.fn();
    await expect(runSubgraphProcess({ name: "books", defaultPort: 0, build, env: { NODE_ENV: "production", PORT: "0" } })).rejects.toThrow("exit 1");
    expect(exit).toHaveBeenCalledWith(1);
    expect(build).not.toHaveBeenCalled();
    expect(printed.lines).toHaveLength(1);
    expect(printed.lines[0]).toMatchObject({ level: "fatal", component: "books-subgraph" });
    expect(String(printed.lines[0]!.msg).split("\n")).toEqual([
      "invalid configuration:",
      "  - JWT_SECRET: set a real secret in production",
      "  - INTERNAL_SECRET: set a real secret in production",
    ]);
  });
});

describe("subgraphProcessEnvSchema", () => {
  it("when PORT is given as a string, then it becomes a number; when absent, it stays unset for the default port", () => {
    expect(subgraphProcessEnvSchema.parse({ PORT: "4002" }).PORT).toBe(4002);
    expect(subgraphProcessEnvSchema.parse({}).PORT).toBeUndefined();
    expect(subgraphProcessEnvSchema.parse({})).toMatchObject({ NODE_ENV: "development", HOST: "127.0.0.1", JWT_SECRET: DEV_JWT_SECRET, INTERNAL_SECRET: DEV_INTERNAL_SECRET });
  });

  it.each([["-1"], ["65536"], ["80.5"], ["http"]])("when PORT is %s, then it is refused", (port) => {
    expect(subgraphProcessEnvSchema.safeParse({ PORT: port }).success).toBe(false);
  });
});

describe("stopOnSignals", () => {
  it("when SIGINT or SIGTERM arrives, then the server stops and the process exits 0", async () => {
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const server = { stop: vi.fn(async () => {}) };
    const listeners = signalListenersAddedBy(() => stopOnSignals(server));
    expect(listeners.SIGINT).toHaveLength(1);
    expect(listeners.SIGTERM).toHaveLength(1);

    listeners.SIGTERM[0]!();
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(server.stop).toHaveBeenCalledTimes(1);
  });

  it("when stopping fails, then the error is printed and the process exits 1", async () => {
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const printed = captureLogs();
    onTestFinished(() => printed.restore());
    const failure = new Error("database would not close");
    const listeners = signalListenersAddedBy(() => stopOnSignals({ stop: async () => Promise.reject(failure) }));

    listeners.SIGINT[0]!();
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1));
    expect(printed.lines).toEqual([expect.objectContaining({ level: "error", err: expect.objectContaining({ message: "database would not close" }) })]);
  });

  it("when the same stop request arrives twice (Ctrl-C and a launcher passing it on), then the server is stopped once", async () => {
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const server = { stop: vi.fn(async () => {}) };
    const listeners = signalListenersAddedBy(() => stopOnSignals(server));
    listeners.SIGINT[0]!();
    listeners.SIGTERM[0]!();
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(server.stop).toHaveBeenCalledTimes(1);
  });

  it("when stopping hangs, then the process exits 1 once the grace period is over", async () => {
    vi.useFakeTimers();
    try {
      const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
      const printed = captureLogs();
      onTestFinished(() => printed.restore());
      const listeners = signalListenersAddedBy(() => stopOnSignals({ stop: () => new Promise<void>(() => {}) }, 5_000));
      listeners.SIGTERM[0]!();
      await vi.advanceTimersByTimeAsync(4_999);
      expect(exit).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("paths", () => {
  it("when a relative data path is resolved, then it lands under the repository root whatever the cwd", () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { workspaces?: unknown };
    expect(manifest.workspaces).toBeDefined();
    expect(existsSync(path.join(REPO_ROOT, "packages", "platform"))).toBe(true);
    expect(fromRepoRoot(".data/users")).toBe(path.join(REPO_ROOT, ".data", "users"));
  });

  it("when an absolute path is given, then it is kept", () => {
    expect(fromRepoRoot("/var/lib/monograph")).toBe("/var/lib/monograph");
  });
});
