import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { freePort } from "./ports.ts";

/** The Redis the throttle's tests use: REDIS_URL, or the one these machines run. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Whether Redis answers. Elsewhere than CI, tests that need it are skipped with a warning when it does not; in CI
 * (CI set) they run, and fail, so a missing Redis cannot pass unnoticed.
 */
export async function redisForTests(what: string): Promise<{ skip: boolean }> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  redis.on("error", () => undefined);
  let up = false;
  try {
    await redis.connect();
    up = (await redis.ping()) === "PONG";
  } catch {
    up = false;
  } finally {
    redis.disconnect();
  }
  const skip = !up && !process.env.CI;
  if (skip) {
    console.warn(`\n*** SKIPPED: ${what} needs Redis at ${TEST_REDIS_URL}, and it does not answer (start redis-server, or set REDIS_URL). CI fails without it. ***\n`);
  }
  return { skip };
}

/** A key prefix of its own for one test, and a way to delete every key under it (and nothing else). */
export function uniqueKeyPrefix(): string {
  return `monograph-test:throttle:${randomBytes(6).toString("hex")}:`;
}

export async function keysUnder(prefix: string): Promise<string[]> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    return keys;
  } finally {
    redis.disconnect();
  }
}

export async function deleteKeysUnder(prefix: string): Promise<void> {
  const keys = await keysUnder(prefix);
  if (keys.length === 0) return;
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export interface PrivateRedis {
  url: string;
  /** Stops the server from answering (SIGSTOP), as a hung or partitioned Redis would. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** redis-server from Debian's package, the one the machines run; REDIS_SERVER_PATH overrides it. */
export function redisServerPath(): string | undefined {
  const candidates = [process.env.REDIS_SERVER_PATH, "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"];
  return candidates.find((candidate): candidate is string => !!candidate && existsSync(candidate));
}

/** A Redis of the test's own on a free port, without persistence: a test may freeze or stop it. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const binary = redisServerPath();
  if (!binary) throw new Error("redis-server not found (install Debian's redis-server, or set REDIS_SERVER_PATH).");
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "monograph-redis-"));
  const child = spawn(binary, ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on("error", () => undefined);
    const up = await redis.connect().then(() => redis.ping().then((pong) => pong === "PONG"), () => false);
    redis.disconnect();
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start on port ${port}.`);
    }
    await sleep(50);
  }
  return {
    url,
    freeze: () => void child.kill("SIGSTOP"),
    thaw: () => void child.kill("SIGCONT"),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGCONT");
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
