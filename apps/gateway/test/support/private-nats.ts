import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./ports.ts";

export interface PrivateNats {
  url: string;
  /** Stops the server from answering (SIGSTOP): clients' publishes wait, as on a network partition. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** nats-server from Debian's package (the machines run it as the shared NATS); NATS_SERVER_PATH overrides it. */
export function natsServerPath(): string | undefined {
  const candidates = [process.env.NATS_SERVER_PATH, "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];
  return candidates.find((candidate): candidate is string => !!candidate && existsSync(candidate));
}

/**
 * A NATS JetStream server of the test's own, on a free port with its store in a temporary folder: a test may
 * freeze it without disturbing anyone else using the machine's NATS.
 */
export async function startPrivateNats(): Promise<PrivateNats> {
  const binary = natsServerPath();
  if (!binary) throw new Error("nats-server not found (install Debian's nats-server, or set NATS_SERVER_PATH).");
  const port = await freePort();
  const storeDir = mkdtempSync(path.join(tmpdir(), "monograph-nats-"));
  const child = spawn(binary, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      rmSync(storeDir, { recursive: true, force: true });
      throw new Error(`nats-server did not start on port ${port}.`);
    }
    await sleep(50);
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    freeze: () => void child.kill("SIGSTOP"),
    thaw: () => void child.kill("SIGCONT"),
    stop: async () => {
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      await exited;
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
