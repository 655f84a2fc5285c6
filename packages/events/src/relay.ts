import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Prisma, type PrismaClient } from "@monograph/db";
import { registerOutboxBacklog } from "@monograph/telemetry";
import { backoffDelay, consoleLogger, type EventPublisher, type EventsLogger, type IntegrationEvent, type OutboxNotifier } from "./bus.ts";

/** The relay claims, reads and stamps outbox rows, nothing else (claims and stamps are plain SQL). */
export type OutboxReader = Pick<PrismaClient, "outboxEvent" | "$queryRaw" | "$executeRaw">;

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
   * How long a claim on a row lasts: another relay of the same source may take the row once it has run out (this
   * one crashed, or its transport hangs). Longer than a batch's publish can take (NATS: `publishTimeoutMs`, 5 s).
   * Default 30 s.
   */
  claimLeaseMs?: number;
  /** Names this relay in its claims (`claimed_by`). Default: host, pid and a random suffix, new per relay. */
  relayId?: string;
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
 * Several relays over one database (N replicas of a domain, a restart that overlaps) share the work: each claims
 * the rows it publishes for a lease (`claimed_by`, `claimed_until`, taken `FOR UPDATE SKIP LOCKED`), so a row is
 * published by one relay, and the rows of a relay that crashed or hangs are taken over by another once the lease
 * has run out. Delivery stays at-least-once: a relay that crashes between publish and stamp, or that outlives
 * its lease, has its rows published again, and consumers deduplicate (docs/adr/0015-replicas-and-retention.md).
 * A row that fails to publish is retried with exponential backoff, kept in its claim (no replica retries it
 * sooner), and never blocks the rows behind it.
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
  private readonly claimLeaseMs: number;
  /** This relay's name in its claims. */
  readonly relayId: string;
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
    this.claimLeaseMs = options.claimLeaseMs ?? 30_000;
    this.relayId = options.relayId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
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

  /**
   * Stops polling and waits for the pass in progress. Rows not yet published stay in the outbox for next time, and
   * the claims this relay still holds on them (rows waiting out a retry delay) are given up, so that another replica,
   * or this process restarted, takes them at once rather than after the lease: a clean stop (a rolling deploy) holds
   * nothing back. A relay that dies without stopping holds its rows until its lease runs out (docs/adr/0015).
   */
  async stop(): Promise<void> {
    this.running = false;
    this.unregisterBacklog?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.chain;
    try {
      await this.db.$executeRaw`
        UPDATE "events"."outbox" SET claimed_by = NULL, claimed_until = NULL
        WHERE claimed_by = ${this.relayId} AND published_at IS NULL`;
    } catch (error) {
      // The database is away: the claims lapse with their lease instead.
      this.log("outbox relay could not give up its claims on stopping; they lapse with their lease", error);
    }
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
        const rows = await this.claim([...tried], ignoreBackoff);
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
   * Claims up to `batchSize` unpublished rows of this relay's sources, oldest first, for `claimLeaseMs`, and
   * returns them. One statement: the rows are chosen `FOR UPDATE SKIP LOCKED`, so two relays claiming at the same
   * moment take different rows instead of waiting for each other or taking the same ones; a row whose lease is
   * still running (another relay is publishing it, or it waits out a retry delay) is not chosen. Lease times are
   * the database's clock, the one every replica shares. `flush` (`ignoreBackoff`) also takes this relay's own rows
   * that wait out a retry delay; `excluded` are the rows this pass tried already.
   */
  private async claim(excluded: string[], ignoreBackoff: boolean): Promise<ClaimedRow[]> {
    const mine = ignoreBackoff ? Prisma.sql`OR claimed_by = ${this.relayId}` : Prisma.empty;
    const notTried = excluded.length > 0 ? Prisma.sql`AND id::text NOT IN (${Prisma.join(excluded)})` : Prisma.empty;
    const rows = await this.db.$queryRaw<ClaimedRow[]>`
      WITH claimable AS (
        SELECT id FROM "events"."outbox"
        WHERE source IN (${Prisma.join(this.sources)}) AND published_at IS NULL
          AND (claimed_until IS NULL OR claimed_until <= now() ${mine}) ${notTried}
        ORDER BY occurred_at, id
        LIMIT ${this.batchSize}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE "events"."outbox" AS row
      SET claimed_by = ${this.relayId}, claimed_until = now() + make_interval(secs => ${this.claimLeaseMs / 1000})
      FROM claimable WHERE row.id = claimable.id
      RETURNING row.id::text AS id, row.source, row.type, row.payload, row.occurred_at AS "occurredAt", row.attempts, row.traceparent`;
    // RETURNING keeps no order: oldest first again.
    return rows.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Gives rows back: any relay (this one included) may claim them at once, or after `delayMs`. */
  private async release(rows: readonly ClaimedRow[], { delayMs, keepClaim }: { delayMs: number; keepClaim: boolean }): Promise<void> {
    if (rows.length === 0) return;
    const ids = Prisma.join(rows.map((row) => row.id));
    // A row that waits out a retry delay stays claimed by this relay until then: no replica retries it sooner.
    await this.db.$executeRaw`
      UPDATE "events"."outbox"
      SET attempts = attempts + 1,
          claimed_by = ${keepClaim ? this.relayId : null},
          claimed_until = ${keepClaim ? Prisma.sql`now() + make_interval(secs => ${delayMs / 1000})` : Prisma.sql`NULL`}
      WHERE id::text IN (${ids}) AND published_at IS NULL`;
  }

  /** Marks rows published. Only rows still unpublished: a row another relay took over and stamped keeps its stamp. */
  private async stamp(rows: readonly ClaimedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.$executeRaw`
      UPDATE "events"."outbox" SET published_at = now(), attempts = attempts + 1, claimed_until = NULL
      WHERE id::text IN (${Prisma.join(rows.map((row) => row.id))}) AND published_at IS NULL`;
  }

  /**
   * One batch through `publishMany`, in one round trip; the accepted rows are stamped in one statement. When none
   * is accepted the whole relay pauses (exponential, capped) and gives the rows back without a delay of their own:
   * another replica whose transport works may take them, or they go first when this one's is back. When only some
   * fail, those back off row by row, as with `deliver`.
   */
  private async deliverBatch(rows: ClaimedRow[]): Promise<FlushResult> {
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
      await this.release(rejected, { delayMs: 0, keepClaim: false }).catch(() => undefined);
      return { published: 0, failed: rejected.length };
    }
    if (this.failedBatches > 0) this.log(`the transport is back after ${this.failedBatches} failed batch(es)`);
    this.failedBatches = 0;
    this.pausedUntil = 0;
    for (const [index, row] of rows.entries()) {
      const error = results[index];
      if (!error) continue;
      const attempts = row.attempts + 1;
      const delayMs = backoffDelay(attempts, this.retryBaseMs, this.retryMaxMs);
      this.log(`could not publish ${row.type} ${row.id} (attempt ${attempts})`, error);
      await this.release([row], { delayMs, keepClaim: true }).catch(() => undefined);
    }
    // If this stamp is lost, the rows are published again later: consumers deduplicate.
    await this.stamp(accepted);
    return { published: accepted.length, failed: rejected.length };
  }

  private async deliver(row: ClaimedRow): Promise<boolean> {
    const event = toEvent(row);
    try {
      await this.transport.publish(event);
    } catch (error) {
      const attempts = row.attempts + 1;
      this.log(`could not publish ${row.type} ${row.id} (attempt ${attempts})`, error);
      await this.release([row], { delayMs: backoffDelay(attempts, this.retryBaseMs, this.retryMaxMs), keepClaim: true }).catch(() => undefined);
      return false;
    }
    // If this stamp is lost, the row is published again later: consumers deduplicate.
    await this.stamp([row]);
    return true;
  }
}

/** An outbox row as the claim returns it. */
interface ClaimedRow {
  id: string;
  source: string;
  type: string;
  payload: unknown;
  occurredAt: Date;
  attempts: number;
  traceparent: string | null;
}

function toEvent(row: ClaimedRow): IntegrationEvent {
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
