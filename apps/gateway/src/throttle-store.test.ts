import { afterAll, afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../test/support/flow.ts";
import { deleteKeysUnder, keysUnder, redisForTests, redisServerPath, startPrivateRedis, TEST_REDIS_URL, uniqueKeyPrefix } from "../test/support/redis.ts";
import { MemoryThrottleStore, RedisThrottleStore, retryAfterMs, type Bucket, type ThrottleStore } from "@monograph/gateway-core";

const MINUTE = 60_000;
// A window-aligned start, so that "how far into the window" is exact.
const START = 29_000_000 * MINUTE;

class FakeClock {
  constructor(public ms = START) {}
  now = () => this.ms;
  advance(ms: number) {
    this.ms += ms;
  }
}

const perMinute = (key: string, limit: number): Bucket => ({ key, limit, windowMs: MINUTE });

const redis = await redisForTests("the Redis throttle store's tests");
const prefixes: string[] = [];
const opened: ThrottleStore[] = [];

const STORES: { name: string; skip: boolean; open(clock: FakeClock): Promise<ThrottleStore> }[] = [
  { name: "memory", skip: false, open: async (clock) => new MemoryThrottleStore({ maxKeys: 1_000, now: clock.now }) },
  {
    name: "Redis",
    skip: redis.skip,
    open: async (clock) => {
      const keyPrefix = uniqueKeyPrefix();
      prefixes.push(keyPrefix);
      return RedisThrottleStore.connect({ url: TEST_REDIS_URL, keyPrefix, now: clock.now });
    },
  },
];

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});
afterAll(async () => {
  if (!redis.skip) for (const prefix of prefixes) await deleteKeysUnder(prefix);
});

describe.each(STORES)("the $name throttle store", ({ open, skip }) => {
  const start = async (clock = new FakeClock()) => {
    const store = await open(clock);
    opened.push(store);
    return { store, clock };
  };

  it.skipIf(skip)("when a bucket's limit is reached, then the next take is refused with the time until it fits, and fits after that time", async () => {
    const { store, clock } = await start();
    const bucket = perMinute("address:198.51.100.1", 3);
    for (let i = 0; i < 3; i += 1) expect((await store.take([{ bucket, points: 1 }])).ok).toBe(true);
    clock.advance(10_000);
    const refused = await store.take([{ bucket, points: 1 }]);
    expect(refused).toMatchObject({ ok: false, bucket });
    if (refused.ok) return;
    // Three in this window: one more fits once the window has slid past them, i.e. a whole window after the first.
    expect(refused.retryAfterMs).toBeGreaterThan(MINUTE - 10_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(2 * MINUTE);
    clock.advance(refused.retryAfterMs - 1_000);
    expect((await store.take([{ bucket, points: 1 }])).ok).toBe(false);
    clock.advance(1_000);
    expect((await store.take([{ bucket, points: 1 }])).ok).toBe(true);
  });

  it.skipIf(skip)("when a burst straddles a window boundary, then the previous window still counts: no double burst", async () => {
    const { store, clock } = await start();
    const bucket = perMinute("address:198.51.100.2", 10);
    clock.advance(MINUTE - 1_000);
    expect((await store.take([{ bucket, points: 10 }])).ok).toBe(true);
    clock.advance(2_000); // one second into the next window
    expect((await store.take([{ bucket, points: 1 }])).ok).toBe(false);
    clock.advance(MINUTE / 2 - 1_000); // half the previous window has slid out: 5 of its 10 still count
    expect((await store.take([{ bucket, points: 6 }])).ok).toBe(false);
    expect((await store.take([{ bucket, points: 5 }])).ok).toBe(true);
  });

  it.skipIf(skip)("when one of several buckets would go over, then none of them is counted", async () => {
    const { store } = await start();
    const address = perMinute("address:198.51.100.3", 10);
    const account = perMinute("account:full", 2);
    expect((await store.take([{ bucket: account, points: 2 }])).ok).toBe(true);
    const refused = await store.take([{ bucket: address, points: 3 }, { bucket: account, points: 1 }]);
    expect(refused).toMatchObject({ ok: false, bucket: account });
    // The address bucket was not charged for the refused take: all 10 are still free.
    expect((await store.take([{ bucket: address, points: 10 }])).ok).toBe(true);
  });

  it.skipIf(skip)("when points are refunded, then they are free again, and a refund never goes below zero", async () => {
    const { store } = await start();
    const bucket = perMinute("account:refund", 2);
    const taken = await store.take([{ bucket, points: 2 }]);
    expect(taken.ok).toBe(true);
    if (!taken.ok) return;
    expect((await store.take([{ bucket, points: 1 }])).ok).toBe(false);
    await store.refund(taken.receipts[0]!, 1);
    expect((await store.take([{ bucket, points: 1 }])).ok).toBe(true);
    await store.refund(taken.receipts[0]!, 5);
    expect((await store.take([{ bucket, points: 2 }])).ok).toBe(true);
    expect((await store.take([{ bucket, points: 1 }])).ok).toBe(false);
  });

  it.skipIf(skip)("when a take asks for more than the limit, then it is refused even on an empty bucket", async () => {
    const { store } = await start();
    const refused = await store.take([{ bucket: perMinute("address:198.51.100.4", 3), points: 4 }]);
    expect(refused).toMatchObject({ ok: false, retryAfterMs: MINUTE });
  });

  it.skipIf(skip)("when two buckets have different keys, then they count independently", async () => {
    const { store } = await start();
    expect((await store.take([{ bucket: perMinute("address:a", 1), points: 1 }])).ok).toBe(true);
    expect((await store.take([{ bucket: perMinute("address:b", 1), points: 1 }])).ok).toBe(true);
    expect((await store.take([{ bucket: perMinute("address:a", 1), points: 1 }])).ok).toBe(false);
  });

  it.skipIf(skip)("when many takes race on one bucket, then exactly the limit gets through", async () => {
    const { store } = await start();
    const bucket = perMinute("account:race", 5);
    const results = await Promise.all(Array.from({ length: 40 }, () => store.take([{ bucket, points: 1 }])));
    expect(results.filter((result) => result.ok)).toHaveLength(5);
  });
});

describe("the memory throttle store's bound", () => {
  it("when an attacker varies addresses and emails without end, then the store holds at most maxKeys counters", async () => {
    const clock = new FakeClock();
    const store = new MemoryThrottleStore({ maxKeys: 100, now: clock.now });
    for (let i = 0; i < 10_000; i += 1) {
      await store.take([{ bucket: perMinute(`address:10.0.${i >> 8}.${i & 255}`, 20), points: 1 }, { bucket: perMinute(`account:${i}`, 10), points: 1 }]);
    }
    expect(store.size).toBeLessThanOrEqual(100);
    // The most recent counters are the ones kept.
    expect((await store.take([{ bucket: perMinute("account:9999", 1), points: 1 }])).ok).toBe(false);
  });

  it("when counters expire, then writes sweep them away without a timer", async () => {
    const clock = new FakeClock();
    const store = new MemoryThrottleStore({ maxKeys: 1_000, now: clock.now });
    for (let i = 0; i < 50; i += 1) await store.take([{ bucket: perMinute(`address:old-${i}`, 5), points: 1 }]);
    expect(store.size).toBe(50);
    clock.advance(3 * MINUTE);
    for (let i = 0; i < 20; i += 1) await store.take([{ bucket: perMinute(`address:new-${i}`, 5), points: 1 }]);
    expect(store.size).toBe(20);
  });
});

describe("the Redis throttle store's keys", () => {
  it.skipIf(redis.skip)("when it counts, then its keys are under its prefix and expire", async () => {
    const keyPrefix = uniqueKeyPrefix();
    prefixes.push(keyPrefix);
    const store = await RedisThrottleStore.connect({ url: TEST_REDIS_URL, keyPrefix });
    opened.push(store);
    await store.take([{ bucket: perMinute("address:198.51.100.9", 5), points: 1 }]);
    const keys = await keysUnder(keyPrefix);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toContain("address:198.51.100.9");
  });

  const noRedisServer = !redisServerPath() && !process.env.CI;
  it.skipIf(noRedisServer)("when Redis hangs or stops, then takes fail within seconds (so sign-ins fail closed), and work again once it is back", async () => {
    const server = await startPrivateRedis();
    try {
      const store = await RedisThrottleStore.connect({ url: server.url, keyPrefix: uniqueKeyPrefix() });
      opened.push(store);
      const take = () => store.take([{ bucket: perMinute("address:198.51.100.8", 100), points: 1 }]);
      expect((await take()).ok).toBe(true);

      server.freeze();
      const started = Date.now();
      await expect(take()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(10_000);
      server.thaw();
      await waitFor("the store to answer again", async () => (await take()).ok);

      await server.stop();
      await expect(take()).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });

  it("when Redis does not answer at start-up, then connecting fails instead of starting without a throttle", async () => {
    await expect(RedisThrottleStore.connect({ url: "redis://127.0.0.1:1", keyPrefix: uniqueKeyPrefix() })).rejects.toThrow(/did not answer/);
  });
});

describe("retryAfterMs", () => {
  it("when the current window alone is full, then the wait runs into the next window", () => {
    const bucket = perMinute("x", 10);
    expect(retryAfterMs({ current: 10, previous: 0 }, 1, bucket, START)).toBe(MINUTE + MINUTE / 10);
  });
  it("when the previous window is what is over, then the wait is until enough of it slides out", () => {
    const bucket = perMinute("x", 10);
    expect(retryAfterMs({ current: 0, previous: 10 }, 1, bucket, START)).toBe(MINUTE / 10);
  });
});
