import { childLogger } from "@monograph/platform";
import type { Placements } from "@monograph/orders-subgraph/contracts";
import type { InventoryRepository, ReservationWithLines } from "./repository.ts";
import type { InventoryReservations } from "./reservations.ts";

const sweeperLog = childLogger("inventory");

/**
 * What inventory asks the orders domain about reservations nobody confirmed, without importing it: for each order
 * id, PLACED (the order exists) or ABANDONED (it never will: orders recorded that, so the id can never become an
 * order). Answering decides (docs/adr/0011-order-placement-protocol.md). In one process a direct call into orders;
 * otherwise HTTP (`HttpOrderPlacements`). An id missing from the answer is left for the next sweep. The contract is
 * orders' placements port (type-only, from its `contracts` entry).
 */
export type OrderPlacementsClient = Placements;

/** What one sweep did; also summed in `ReservationSweeper.totals`, for metrics. */
export interface SweepResult {
  /** Unconfirmed HELD reservations older than the grace period that orders was asked about. */
  checked: number;
  /** Their orders exist: confirmed, never asked about again. */
  confirmed: number;
  /** Their orders never appeared: released, stock back on sale. */
  released: number;
  /** Units given back by those releases. */
  unitsReleased: number;
  /** 1 when orders (or the database) could not be reached; the reservations wait for the next sweep. */
  failed: number;
}

export interface ReservationSweeperOptions {
  repository: Pick<InventoryRepository, "findUnconfirmedHeld" | "confirm" | "findReservation">;
  reservations: Pick<InventoryReservations, "release">;
  placements: OrderPlacementsClient;
  /** How old an unconfirmed hold must be before orders is asked about it. Default 60 s (above every timeout of createOrder). */
  graceMs?: number;
  /** Time between sweeps. Default 15 s. */
  intervalMs?: number;
  /** Reservations per question to orders. Default 100. */
  batchSize?: number;
  /** Batches per sweep at most, so one sweep stays bounded. Default 10. */
  maxBatches?: number;
  log?: (message: string, error?: unknown) => void;
  /** Called after every sweep that found something or failed (metrics hook, e.g. a prom-client counter). */
  onSweep?: (result: SweepResult) => void;
  now?: () => number;
}

const EMPTY: SweepResult = Object.freeze({ checked: 0, confirmed: 0, released: 0, unitsReleased: 0, failed: 0 });

/**
 * Releases stock held for orders that never appeared (an orders process that died between reserving and writing
 * the order, an inventory that committed a reservation whose answer was lost, a compensation that failed). Every
 * `intervalMs` it takes the unconfirmed HELD reservations older than `graceMs`, oldest first, in bounded batches,
 * asks orders about them, confirms those whose order exists and releases the others. Safe to run in several
 * processes at once: orders' answer is final, and release is idempotent.
 */
export class ReservationSweeper {
  /** Running totals since start, for metrics to read. */
  readonly totals: SweepResult = { ...EMPTY };
  private readonly graceMs: number;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly maxBatches: number;
  private readonly log: (message: string, error?: unknown) => void;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;
  private failing = false;

  constructor(private readonly options: ReservationSweeperOptions) {
    this.graceMs = options.graceMs ?? 60_000;
    this.intervalMs = options.intervalMs ?? 15_000;
    this.batchSize = options.batchSize ?? 100;
    this.maxBatches = options.maxBatches ?? 10;
    this.log = options.log ?? ((message, error) => sweeperLog.warn({ err: error }, message));
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sweeping and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep now (a sweep already running is joined, not doubled). Never throws. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.sweepOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweepOnce(): Promise<SweepResult> {
    const result: SweepResult = { ...EMPTY };
    try {
      const before = new Date(this.now() - this.graceMs);
      for (let batch = 0; batch < this.maxBatches; batch += 1) {
        const held = await this.options.repository.findUnconfirmedHeld(before, this.batchSize);
        if (held.length === 0) break;
        result.checked += held.length;
        const outcomes = await this.options.placements.settle(held.map((reservation) => reservation.orderId));
        const placed = held.filter((reservation) => outcomes[reservation.orderId] === "PLACED").map((reservation) => reservation.orderId);
        result.confirmed += await this.options.repository.confirm(placed);
        for (const reservation of held) {
          if (outcomes[reservation.orderId] !== "ABANDONED") continue;
          const units = await this.release(reservation.orderId);
          if (units === null) continue;
          result.released += 1;
          result.unitsReleased += units;
        }
        // An id orders did not answer about stays unconfirmed and would come back first: leave it for next time.
        if (held.length < this.batchSize || held.some((reservation) => !(reservation.orderId in outcomes))) break;
      }
      if (this.failing) this.log("reservation sweeper: orders answers again");
      this.failing = false;
    } catch (error) {
      result.failed = 1;
      // Once per outage, not on every sweep.
      if (!this.failing) this.log("reservation sweeper could not check unconfirmed reservations; it tries again on its next sweep", error);
      this.failing = true;
    }
    if (result.released > 0) {
      this.log(`reservation sweeper released ${result.released} reservation(s), ${result.unitsReleased} unit(s), held for orders that never appeared`);
    }
    for (const key of Object.keys(result) as (keyof SweepResult)[]) this.totals[key] += result[key];
    if (result.checked > 0 || result.failed > 0) this.options.onSweep?.(result);
    return result;
  }

  /** The units a release gave back, or null when the reservation was no longer HELD (someone settled it first). */
  private async release(orderId: string): Promise<number | null> {
    const reservation: ReservationWithLines | null = await this.options.repository.findReservation(orderId);
    if (!reservation || reservation.status !== "HELD") return null;
    await this.options.reservations.release(orderId);
    const after = await this.options.repository.findReservation(orderId);
    if (after?.status !== "RELEASED") return null;
    return reservation.lines.reduce((sum, line) => sum + line.quantity, 0);
  }
}
