import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

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
