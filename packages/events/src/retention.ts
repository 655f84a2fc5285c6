import { Prisma, type PrismaClient } from "@monograph/db";
import { consoleLogger, type EventsLogger } from "./bus.ts";

/** Retention deletes rows, nothing else. */
export type RetentionDatabase = Pick<PrismaClient, "$executeRaw">;

/** How long delivered outbox rows and inbox rows are kept, and how they are deleted (env: OUTBOX_RETENTION...). */
export interface EventsRetentionSettings {
  /** Delivered outbox rows older than this (since they were published) are deleted. Default 7 days. */
  outboxWindowMs?: number;
  /**
   * Inbox rows older than this (since their event was handled) are deleted. An event redelivered after its inbox
   * row is gone would be handled again: keep it at least as long as redelivery can happen, that is the stream's
   * `maxAgeMs` (7 days) for JetStream. Default 7 days.
   */
  inboxWindowMs?: number;
  /** Rows deleted per statement: short statements, short locks. Default 500. */
  batchSize?: number;
  /** How often a sweep runs. Default 60 s. */
  intervalMs?: number;
}

export interface EventsRetentionOptions extends EventsRetentionSettings {
  db: RetentionDatabase;
  /** Whose delivered outbox rows this process deletes: the sources its relay publishes. None: no outbox sweep. */
  sources?: readonly string[];
  /** Whose inbox rows this process deletes: the consumers it runs. None: no inbox sweep. */
  consumers?: readonly string[];
  log?: EventsLogger;
}

export interface RetentionSweep {
  outboxDeleted: number;
  inboxDeleted: number;
}

export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_RETENTION_BATCH_SIZE = 500;
export const DEFAULT_RETENTION_INTERVAL_MS = 60_000;

/**
 * Keeps `events.outbox` and `events.processed_events` bounded: a periodic sweep deletes delivered outbox rows
 * (`published_at` set, older than the outbox window) and inbox rows (older than the inbox window) of this
 * process's sources and consumers, oldest first, in batches of `batchSize` rows, each batch a statement of its
 * own. An undelivered outbox row is never deleted, however old. Rows are picked `FOR UPDATE SKIP LOCKED`, so
 * replicas sweeping at the same moment split the work instead of waiting on each other. Window times are the
 * database's clock. See docs/adr/0015-replicas-and-retention.md.
 */
export class EventsRetention {
  private readonly outboxWindowMs: number;
  private readonly inboxWindowMs: number;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly sources: string[];
  private readonly consumers: string[];
  private readonly log: EventsLogger;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<RetentionSweep> | undefined;
  private failing = false;
  /** Rows deleted since start, for metrics and tests to read. */
  readonly totals: RetentionSweep = { outboxDeleted: 0, inboxDeleted: 0 };

  constructor(private readonly options: EventsRetentionOptions) {
    this.outboxWindowMs = options.outboxWindowMs ?? DEFAULT_RETENTION_MS;
    this.inboxWindowMs = options.inboxWindowMs ?? DEFAULT_RETENTION_MS;
    this.batchSize = options.batchSize ?? DEFAULT_RETENTION_BATCH_SIZE;
    this.intervalMs = options.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
    this.sources = [...(options.sources ?? [])];
    this.consumers = [...(options.consumers ?? [])];
    this.log = options.log ?? consoleLogger;
    for (const [name, value] of [["outboxWindowMs", this.outboxWindowMs], ["inboxWindowMs", this.inboxWindowMs], ["batchSize", this.batchSize], ["intervalMs", this.intervalMs]] as const) {
      if (!Number.isFinite(value) || value <= 0) throw new Error(`Events retention: ${name} must be a positive number (got ${value}).`);
    }
  }

  /** Sweeps now and then every `intervalMs`. Does nothing when there is neither a source nor a consumer. */
  start(): void {
    if (this.timer || (this.sources.length === 0 && this.consumers.length === 0)) return;
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    // The sweep alone must not keep a process alive.
    this.timer.unref();
    void this.sweep();
  }

  /** Stops sweeping and waits for the sweep in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One sweep: deletes every expired row, batch by batch. A sweep already running is joined, not doubled. */
  sweep(): Promise<RetentionSweep> {
    this.sweeping ??= this.run().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async run(): Promise<RetentionSweep> {
    const result: RetentionSweep = { outboxDeleted: 0, inboxDeleted: 0 };
    try {
      if (this.sources.length > 0) result.outboxDeleted = await this.inBatches(() => this.deleteOutboxBatch());
      if (this.consumers.length > 0) result.inboxDeleted = await this.inBatches(() => this.deleteInboxBatch());
      if (this.failing) this.log("events retention reaches the database again");
      this.failing = false;
    } catch (error) {
      // Said once per outage; the next sweep tries again.
      if (!this.failing) this.log("events retention could not delete expired rows; it tries again on the next sweep", error);
      this.failing = true;
    }
    this.totals.outboxDeleted += result.outboxDeleted;
    this.totals.inboxDeleted += result.inboxDeleted;
    return result;
  }

  private async inBatches(deleteBatch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch();
      total += deleted;
      if (deleted < this.batchSize) return total;
      // Let the process's other work (requests, the relay) run between two batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private deleteOutboxBatch(): Promise<number> {
    return this.options.db.$executeRaw`
      DELETE FROM "events"."outbox" WHERE id IN (
        SELECT id FROM "events"."outbox"
        WHERE source IN (${Prisma.join(this.sources)})
          AND published_at IS NOT NULL
          AND published_at < now() - make_interval(secs => ${this.outboxWindowMs / 1000})
        ORDER BY published_at
        LIMIT ${this.batchSize}
        FOR UPDATE SKIP LOCKED
      )`;
  }

  private deleteInboxBatch(): Promise<number> {
    return this.options.db.$executeRaw`
      DELETE FROM "events"."processed_events" WHERE (consumer, event_id) IN (
        SELECT consumer, event_id FROM "events"."processed_events"
        WHERE consumer IN (${Prisma.join(this.consumers)})
          AND handled_at < now() - make_interval(secs => ${this.inboxWindowMs / 1000})
        ORDER BY handled_at
        LIMIT ${this.batchSize}
        FOR UPDATE SKIP LOCKED
      )`;
  }
}
