import type { Redis } from "ioredis";

/**
 * Counters for the sign-in and sign-up throttle, as sliding windows: a bucket allows `limit` points per `windowMs`,
 * estimated from the count of the current fixed window plus the previous window's count weighted by how much of it
 * still overlaps the sliding window (the approximation Cloudflare and nginx use). Unlike plain fixed windows, a
 * burst that straddles a window boundary still meets the limit.
 */
export interface Bucket {
  /** Names the counter: what is counted and for whom, e.g. `sign-in:address:203.0.113.7`. */
  key: string;
  limit: number;
  windowMs: number;
}

export interface Take {
  bucket: Bucket;
  points: number;
}

/** What was counted, so that it can be given back (a sign-in that did not fail). */
export interface Receipt {
  bucket: Bucket;
  /** The fixed window the points went into. */
  window: number;
}

export type TakeResult = { ok: true; receipts: Receipt[] } | { ok: false; bucket: Bucket; retryAfterMs: number };

export interface ThrottleStore {
  /** Counts every take, or none of them when any one would go over its limit (all or nothing). */
  take(takes: readonly Take[]): Promise<TakeResult>;
  /** Gives points back to the window they were taken from (never below zero). */
  refund(receipt: Receipt, points: number): Promise<void>;
  /** Throws when the store cannot be used (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type Clock = () => number;

interface Counts {
  current: number;
  previous: number;
}

/** Where `now` falls: its fixed window and how much of the previous window still counts. */
function position(windowMs: number, now: number): { window: number; previousWeight: number; elapsedMs: number } {
  const window = Math.floor(now / windowMs);
  const elapsedMs = now - window * windowMs;
  // Rounded down to 6 decimals, the precision sent to Redis, so that both stores decide alike.
  return { window, previousWeight: Math.floor((1 - elapsedMs / windowMs) * 1e6) / 1e6, elapsedMs };
}

function fits(counts: Counts, previousWeight: number, points: number, limit: number): boolean {
  return counts.previous * previousWeight + counts.current + points <= limit;
}

/** How long until `points` more would fit, assuming nothing else is counted meanwhile. */
export function retryAfterMs(counts: Counts, points: number, bucket: Bucket, now: number): number {
  const { limit, windowMs } = bucket;
  const { elapsedMs } = position(windowMs, now);
  // More points than the limit never fit: the client must send fewer. Waiting a whole window is the honest answer
  // for the parts of it that would.
  if (points > limit) return windowMs;
  if (counts.current + points <= limit) {
    // Within this window, once enough of the previous window has slid out.
    const fraction = counts.previous > 0 ? 1 - (limit - counts.current - points) / counts.previous : 0;
    return Math.max(0, Math.ceil(fraction * windowMs - elapsedMs));
  }
  // In the next window, where this window's count becomes the previous one.
  const fraction = counts.current > 0 ? Math.max(0, 1 - (limit - points) / counts.current) : 0;
  return Math.ceil(windowMs - elapsedMs + fraction * windowMs);
}

export interface MemoryStoreOptions {
  /** The most counters kept; past it the least recently counted ones are dropped. */
  maxKeys: number;
  now?: Clock;
}

/**
 * One process's counters, in a Map bounded by `maxKeys`: whatever an attacker varies (addresses, emails), memory
 * stays bounded. Writes move a counter to the end of the Map's order, so the first entries are the least recently
 * written; expired ones are swept from the front as new ones come in, and when the Map is full the oldest goes.
 * Dropping a live counter forgets attempts, so size `maxKeys` above the number of clients a window sees.
 */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly entries = new Map<string, { count: number; expiresAt: number }>();
  private readonly now: Clock;

  constructor(private readonly options: MemoryStoreOptions) {
    if (!Number.isInteger(options.maxKeys) || options.maxKeys < 2) throw new Error("maxKeys must be an integer of at least 2");
    this.now = options.now ?? Date.now;
  }

  /** Counters held right now (tests check the bound). */
  get size(): number {
    return this.entries.size;
  }

  take(takes: readonly Take[]): Promise<TakeResult> {
    const now = this.now();
    for (const { bucket, points } of takes) {
      const { window, previousWeight } = position(bucket.windowMs, now);
      const counts = { current: this.read(windowKey(bucket, window), now), previous: this.read(windowKey(bucket, window - 1), now) };
      if (!fits(counts, previousWeight, points, bucket.limit)) {
        return Promise.resolve({ ok: false, bucket, retryAfterMs: retryAfterMs(counts, points, bucket, now) });
      }
    }
    const receipts: Receipt[] = [];
    for (const { bucket, points } of takes) {
      const { window } = position(bucket.windowMs, now);
      const key = windowKey(bucket, window);
      // A window's count is read as "previous" during the next window, so it lives for two.
      this.write(key, this.read(key, now) + points, (window + 2) * bucket.windowMs, now);
      receipts.push({ bucket, window });
    }
    return Promise.resolve({ ok: true, receipts });
  }

  refund(receipt: Receipt, points: number): Promise<void> {
    const now = this.now();
    const key = windowKey(receipt.bucket, receipt.window);
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) entry.count = Math.max(0, entry.count - points);
    return Promise.resolve();
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }

  private read(key: string, now: number): number {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry.count : 0;
  }

  private write(key: string, count: number, expiresAt: number, now: number): void {
    this.entries.delete(key);
    // A few expired entries from the front on every write keep the Map small without a timer.
    for (let swept = 0; swept < 4; swept += 1) {
      const first = this.entries.entries().next();
      if (first.done || first.value[1].expiresAt > now) break;
      this.entries.delete(first.value[0]);
    }
    while (this.entries.size >= this.options.maxKeys) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { count, expiresAt });
  }
}

function windowKey(bucket: Bucket, window: number): string {
  return `${bucket.key}:${bucket.windowMs}:${window}`;
}

// All-or-nothing over several buckets, atomically: KEYS are (current, previous) window keys per bucket; ARGV are
// (points, limit, previous weight, ttl ms) per bucket. Returns 0 and the counts of the first bucket that does not
// fit, or 1 and nothing. The weight is a decimal string; Lua numbers are doubles.
const TAKE_SCRIPT = `
local n = #KEYS / 2
for i = 1, n do
  local current = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local previous = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  local points = tonumber(ARGV[4 * i - 3])
  local limit = tonumber(ARGV[4 * i - 2])
  local weight = tonumber(ARGV[4 * i - 1])
  if previous * weight + current + points > limit then
    return {0, i, current, previous}
  end
end
for i = 1, n do
  redis.call('INCRBY', KEYS[2 * i - 1], ARGV[4 * i - 3])
  redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[4 * i])
end
return {1}
`;

const REFUND_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count <= 0 then return 0 end
local left = math.max(0, count - tonumber(ARGV[1]))
redis.call('SET', KEYS[1], left, 'KEEPTTL')
return left
`;

type ScriptedRedis = Redis & {
  throttleTake(numberOfKeys: number, ...args: (string | number)[]): Promise<number[]>;
  throttleRefund(key: string, points: number): Promise<number>;
};

export interface RedisStoreOptions {
  url: string;
  /** Namespaces every key, e.g. several environments or test runs on one Redis. */
  keyPrefix: string;
  now?: Clock;
}

/**
 * Counters in Redis, shared by every gateway replica pointed at it. A take over several buckets is one Lua script,
 * so it is atomic across replicas; its keys may live in different slots, so this is for one Redis (or a primary with
 * replicas), not Redis Cluster. Keys hold no email: accounts are hashed by the throttle before they get here.
 */
export class RedisThrottleStore implements ThrottleStore {
  private readonly now: Clock;

  private constructor(
    private readonly redis: ScriptedRedis,
    private readonly keyPrefix: string,
    now: Clock | undefined,
  ) {
    this.now = now ?? Date.now;
  }

  /** Connects, and fails (rather than start without a throttle) when Redis does not answer. */
  static async connect(options: RedisStoreOptions): Promise<RedisThrottleStore> {
    // Loaded here: a gateway whose throttle counts in its own memory (the default) never loads the Redis client.
    const { Redis } = await import("ioredis");
    const redis = new Redis(options.url, {
      lazyConnect: true,
      // A throttle that waits for Redis holds sign-ins hostage: fail fast, and let the request fail closed.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 2_000,
      connectionName: "monograph-gateway-throttle",
    });
    // Connection errors surface on the commands that fail; ioredis also emits them, and an unheard "error" event
    // would crash the process.
    redis.on("error", () => undefined);
    redis.defineCommand("throttleTake", { lua: TAKE_SCRIPT });
    redis.defineCommand("throttleRefund", { numberOfKeys: 1, lua: REFUND_SCRIPT });
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      throw new Error(`Redis for the sign-in throttle did not answer: ${(error as Error).message}`);
    }
    return new RedisThrottleStore(redis as ScriptedRedis, options.keyPrefix, options.now);
  }

  async take(takes: readonly Take[]): Promise<TakeResult> {
    if (takes.length === 0) return { ok: true, receipts: [] };
    const now = this.now();
    const keys: string[] = [];
    const args: (string | number)[] = [];
    const positions = takes.map(({ bucket, points }) => {
      const at = position(bucket.windowMs, now);
      keys.push(this.redisKey(bucket, at.window), this.redisKey(bucket, at.window - 1));
      // Until the end of the next window, measured from now on our clock (an injected clock stays consistent).
      args.push(points, bucket.limit, String(at.previousWeight), Math.ceil(2 * bucket.windowMs - at.elapsedMs));
      return at;
    });
    const result = await this.redis.throttleTake(keys.length, ...keys, ...args);
    if (result[0] === 1) return { ok: true, receipts: takes.map(({ bucket }, i) => ({ bucket, window: positions[i]!.window })) };
    const refused = takes[Number(result[1]) - 1]!;
    const counts = { current: Number(result[2]), previous: Number(result[3]) };
    return { ok: false, bucket: refused.bucket, retryAfterMs: retryAfterMs(counts, refused.points, refused.bucket, now) };
  }

  async refund(receipt: Receipt, points: number): Promise<void> {
    await this.redis.throttleRefund(this.redisKey(receipt.bucket, receipt.window), points);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private redisKey(bucket: Bucket, window: number): string {
    return `${this.keyPrefix}${windowKey(bucket, window)}`;
  }
}
