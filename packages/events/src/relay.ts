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
  /**
   * With a batch transport (`publishMany`): first pause of the whole relay after a batch of which nothing was
   * accepted (the transport is away); it doubles per failed batch, up to `pauseMaxMs`, and ends on the first
   * success. Default 500 ms.
   */
  pauseBaseMs?: number;
  /** Longest pause of the whole relay. Default 15 s. */
  pauseMaxMs?: number;
  log?: EventsLogger;
  /** Called after each pass that did something (metrics hook). */
  onPass?: (result: FlushResult) => void;
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
 *
 * With a batch transport (`publishMany`, NATS JetStream) a batch of up to `batchSize` rows goes out in one round
 * trip and is stamped in one statement; when the transport accepts none of a batch (it is away), the whole relay
 * pauses, 0.5 s doubling up to 15 s, logging once, and publishes everything pending in batches as soon as a try
 * succeeds: no row waits out a publish timeout of its own.
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
  private readonly pauseBaseMs: number;
  private readonly pauseMaxMs: number;
  /** Consecutive batches of which the transport accepted nothing, and the time until which passes wait. */
  private failedBatches = 0;
  private databaseFailing = false;
  private pausedUntil = 0;
  /** Running totals since start, for metrics to read. */
  readonly totals: FlushResult & { pauses: number } = { published: 0, failed: 0, pauses: 0 };
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
    this.pauseBaseMs = options.pauseBaseMs ?? 500;
    this.pauseMaxMs = options.pauseMaxMs ?? 15_000;
    this.log = options.log ?? consoleLogger;
    this.onPass = options.onPass;
  }

  private readonly onPass: ((result: FlushResult) => void) | undefined;

  /** True while the relay waits for its transport to come back (nothing of the last batch was accepted). */
  get paused(): boolean {
    return Date.now() < this.pausedUntil;
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
    const run = this.chain.then(async () => {
      if (!ignoreBackoff) this.queuedPass = undefined;
      // The transport is away: a wake-up or a poll waits for the pause to end (flush does not).
      if (!ignoreBackoff && this.paused) return { published: 0, failed: 0 };
      const result = await this.deliverPending(ignoreBackoff);
      this.totals.published += result.published;
      this.totals.failed += result.failed;
      if (result.published > 0 || result.failed > 0) this.onPass?.(result);
      return result;
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
        if (this.databaseFailing) this.log("outbox relay reaches the database again");
        this.databaseFailing = false;
        if (rows.length === 0) return result;
        for (const row of rows) tried.add(row.id);
        if (this.transport.publishMany) {
          const { published, failed } = await this.deliverBatch(rows);
          result.published += published;
          result.failed += failed;
          // Nothing accepted: the transport is away. Stop here and pause, rather than try every row in turn.
          if (published === 0 && failed > 0) return result;
          continue;
        }
        for (const row of rows) {
          if (await this.deliver(row)) result.published += 1;
          else result.failed += 1;
        }
      }
    } catch (error) {
      // The database is unreachable: the next poll tries again. Said once per outage, not once per poll.
      if (!this.databaseFailing) this.log("outbox relay could not reach the database; it keeps trying", error);
      this.databaseFailing = true;
      return result;
    }
  }

  /**
   * One batch through `publishMany`, in one round trip; the accepted rows are stamped in one statement. When none
   * is accepted the whole relay pauses (exponential, capped) and the rows keep no backoff of their own: they go
   * first when the transport is back. When only some fail, those back off row by row, as with `deliver`.
   */
  private async deliverBatch(rows: OutboxEvent[]): Promise<FlushResult> {
    const results = await this.transport.publishMany!(rows.map(toEvent)).catch((error: unknown) => rows.map(() => (error instanceof Error ? error : new Error(String(error)))));
    const accepted = rows.filter((_, index) => !results[index]);
    const rejected = rows.filter((_, index) => results[index]);
    if (accepted.length === 0 && rejected.length > 0) {
      this.failedBatches += 1;
      const pause = backoffDelay(this.failedBatches, this.pauseBaseMs, this.pauseMaxMs);
      this.pausedUntil = Date.now() + pause;
      this.totals.pauses += 1;
      // Once when it goes away, then every 20th failed try: not once per row.
      if (this.failedBatches % 20 === 1) {
        this.log(`could not publish ${rejected.length} event(s); the transport seems away, retrying in ${pause} ms`, results.find(Boolean));
      }
      await this.db.outboxEvent.updateMany({ where: { id: { in: rejected.map((row) => row.id) } }, data: { attempts: { increment: 1 } } }).catch(() => undefined);
      return { published: 0, failed: rejected.length };
    }
    if (this.failedBatches > 0) this.log(`the transport is back after ${this.failedBatches} failed batch(es)`);
    this.failedBatches = 0;
    this.pausedUntil = 0;
    for (const [index, row] of rows.entries()) {
      const error = results[index];
      if (!error) continue;
      const attempts = row.attempts + 1;
      this.retryAt.set(row.id, Date.now() + backoffDelay(attempts, this.retryBaseMs, this.retryMaxMs));
      this.log(`could not publish ${row.type} ${row.id} (attempt ${attempts})`, error);
    }
    if (rejected.length > 0) {
      await this.db.outboxEvent.updateMany({ where: { id: { in: rejected.map((row) => row.id) } }, data: { attempts: { increment: 1 } } }).catch(() => undefined);
    }
    for (const row of accepted) this.retryAt.delete(row.id);
    // If this stamp is lost, the rows are published again later: consumers deduplicate.
    await this.db.outboxEvent.updateMany({ where: { id: { in: accepted.map((row) => row.id) } }, data: { publishedAt: new Date(), attempts: { increment: 1 } } });
    return { published: accepted.length, failed: rejected.length };
  }

  private async deliver(row: OutboxEvent): Promise<boolean> {
    const event = toEvent(row);
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

function toEvent(row: OutboxEvent): IntegrationEvent {
  return {
    id: row.id,
    type: row.type,
    source: row.source,
    occurredAt: row.occurredAt,
    payload: row.payload,
    // The request that wrote the event: its consumers' spans link to it.
    ...(row.traceparent ? { traceContext: { traceparent: row.traceparent } } : {}),
  };
}
