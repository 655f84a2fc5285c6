import type { OutboxEvent, PrismaClient } from "@monograph/db";
import { registerOutboxBacklog } from "@monograph/telemetry";
import { backoffDelay, consoleLogger, type EventPublisher, type EventsLogger, type IntegrationEvent, type OutboxNotifier } from "./bus.ts";

/** The relay reads and stamps outbox rows, nothing else. */
export type OutboxReader = Pick<PrismaClient, "outboxEvent">;

export interface OutboxRelayOptions {
  db: OutboxReader;
  transport: EventPublisher;
  /**
   * The publishing domains whose rows this relay delivers. The monolith runs one relay for every source; in the
   * distributed shape each process relays only its own domain's rows.
   */
  sources: readonly string[];
  /** How often to look for rows a notification missed (crash recovery, a transport that was down). Default 1 s. */
  pollIntervalMs?: number;
  /** Rows read per query. Default 100. */
  batchSize?: number;
  /** First delay before a row whose publish failed is tried again; it doubles per attempt. Default 500 ms. */
  retryBaseMs?: number;
  /** Longest delay between two attempts of one row. Default 60 s. */
  retryMaxMs?: number;
  log?: EventsLogger;
}

export interface FlushResult {
  published: number;
  failed: number;
}

/**
 * Delivers committed outbox rows to a transport, promptly and without losing any (the guarantees are written
 * in bus.ts). `notify()` after a commit wakes it at once; `start()` also polls every `pollIntervalMs`.
 *
 * Several relays over one database (two instances of a service, a restart that overlaps) may publish a row
 * twice; consumers deduplicate, so this costs a little work, never correctness. A row that fails to publish is
 * retried with exponential backoff (kept in memory: a restarted relay retries at once) and never blocks the rows
 * behind it.
 */
export class OutboxRelay implements OutboxNotifier {
  private readonly db: OutboxReader;
  private readonly transport: EventPublisher;
  private readonly sources: string[];
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly log: EventsLogger;
  /** Row id -> earliest time it may be tried again. */
  private readonly retryAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private chain: Promise<unknown> = Promise.resolve();
  private queuedPass: Promise<FlushResult> | undefined;
  private wakeScheduled = false;
  private unregisterBacklog: (() => void) | undefined;

  constructor(options: OutboxRelayOptions) {
    if (options.sources.length === 0) throw new Error("An outbox relay needs at least one source to relay.");
    this.db = options.db;
    this.transport = options.transport;
    this.sources = [...options.sources];
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.batchSize = options.batchSize ?? 100;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 60_000;
    this.log = options.log ?? consoleLogger;
  }

  /** Starts polling and delivers what is already pending. Register every subscription before this. */
  start(): void {
    if (this.running) return;
    this.running = true;
    // /metrics reads this relay's backlog on each scrape: one grouped count over the (source, published_at) index.
    this.unregisterBacklog = registerOutboxBacklog(() => this.backlog());
    this.timer = setInterval(() => void this.pass(false), this.pollIntervalMs);
    // Polling alone must not keep a process (or a test run) alive.
    this.timer.unref();
    void this.pass(false);
  }

  /** Wakes a started relay now; several notifications in one tick make one pass. A stopped relay ignores it. */
  notify(): void {
    if (!this.running || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      if (this.running) void this.pass(false);
    });
  }

  /**
   * Delivers everything pending now, including rows waiting out a retry delay, each at most once, and resolves
   * when done. For tests and shutdown; works on a relay that was never started.
   */
  flush(): Promise<FlushResult> {
    return this.pass(true);
  }

  /** Stops polling and waits for the pass in progress. Rows not yet published stay in the outbox for next time. */
  async stop(): Promise<void> {
    this.running = false;
    this.unregisterBacklog?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.chain;
  }

  /** Rows not yet delivered and the age of the oldest, per source of this relay (every source, even at 0). */
  async backlog(): Promise<{ source: string; pending: number; oldestAgeSeconds: number }[]> {
    const groups = await this.db.outboxEvent.groupBy({
      by: ["source"],
      where: { source: { in: this.sources }, publishedAt: null },
      _count: { _all: true },
      _min: { occurredAt: true },
    });
    const now = Date.now();
    return this.sources.map((source) => {
      const group = groups.find((candidate) => candidate.source === source);
      const oldest = group?._min.occurredAt;
      return { source, pending: group?._count._all ?? 0, oldestAgeSeconds: oldest ? Math.max(0, (now - oldest.getTime()) / 1000) : 0 };
    });
  }

  /** Passes run one at a time; a normal pass already waiting to run absorbs further wake-ups. */
  private pass(ignoreBackoff: boolean): Promise<FlushResult> {
    if (!ignoreBackoff && this.queuedPass) return this.queuedPass;
    const run = this.chain.then(() => {
      if (!ignoreBackoff) this.queuedPass = undefined;
      return this.deliverPending(ignoreBackoff);
    });
    if (!ignoreBackoff) this.queuedPass = run;
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async deliverPending(ignoreBackoff: boolean): Promise<FlushResult> {
    const result: FlushResult = { published: 0, failed: 0 };
    const tried = new Set<string>();
    try {
      for (;;) {
        const now = Date.now();
        const excluded = [...tried];
        if (!ignoreBackoff) for (const [id, at] of this.retryAt) if (at > now) excluded.push(id);
        const rows = await this.db.outboxEvent.findMany({
          where: { source: { in: this.sources }, publishedAt: null, ...(excluded.length > 0 ? { id: { notIn: excluded } } : {}) },
          orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
          take: this.batchSize,
        });
        if (rows.length === 0) return result;
        for (const row of rows) {
          tried.add(row.id);
          if (await this.deliver(row)) result.published += 1;
          else result.failed += 1;
        }
      }
    } catch (error) {
      // The database is unreachable: the next poll tries again.
      this.log("outbox relay could not reach the database", error);
      return result;
    }
  }

  private async deliver(row: OutboxEvent): Promise<boolean> {
    const event: IntegrationEvent = {
      id: row.id,
      type: row.type,
      source: row.source,
      occurredAt: row.occurredAt,
      payload: row.payload,
      ...(row.traceparent ? { traceContext: { traceparent: row.traceparent } } : {}),
    };
    try {
      await this.transport.publish(event);
    } catch (error) {
      const attempts = row.attempts + 1;
      this.retryAt.set(row.id, Date.now() + backoffDelay(attempts, this.retryBaseMs, this.retryMaxMs));
      this.log(`could not publish ${row.type} ${row.id} (attempt ${attempts})`, error);
      await this.db.outboxEvent.update({ where: { id: row.id }, data: { attempts } }).catch(() => undefined);
      return false;
    }
    this.retryAt.delete(row.id);
    // If this stamp is lost, the row is published again later: consumers deduplicate.
    await this.db.outboxEvent.update({ where: { id: row.id }, data: { publishedAt: new Date(), attempts: { increment: 1 } } });
    return true;
  }
}
