import { setTimeout as sleep } from "node:timers/promises";
import { observeDelivery } from "./observe.ts";
import { backoffDelay, consoleLogger, type EventHandler, type EventsLogger, type EventTransport, type IntegrationEvent } from "./bus.ts";

export interface InProcessTransportOptions {
  /** Attempts per subscriber and event before `publish` gives up (the relay then retries the row later). Default 4. */
  attempts?: number;
  /** Delay before the second attempt; it doubles per attempt. Default 25 ms. */
  retryBaseMs?: number;
  /** Longest delay between two attempts. Default 1 s. */
  retryMaxMs?: number;
  log?: EventsLogger;
}

interface Subscription {
  consumer: string;
  eventTypes: ReadonlySet<string>;
  handler: EventHandler;
}

/** Thrown by `publish` when some subscriber still failed after its last attempt. */
export class DeliveryFailedError extends Error {
  constructor(
    readonly event: Pick<IntegrationEvent, "id" | "type">,
    readonly failedConsumers: string[],
  ) {
    super(`${event.type} ${event.id} was not handled by: ${failedConsumers.join(", ")}`);
    this.name = "DeliveryFailedError";
  }
}

/**
 * The monolith's transport: producer and consumers share one process. `publish` (called by the relay, after the
 * producer's transaction committed) runs every matching subscriber, in parallel, and resolves once all of them
 * handled the event. A failing subscriber is retried with backoff; if it still fails, `publish` rejects and the
 * relay keeps the row in the outbox and tries again later, when subscribers that already succeeded skip it
 * through their inbox. Nothing waits in memory, so a crash loses nothing: an unacknowledged row is still in the
 * outbox.
 */
export class InProcessTransport implements EventTransport {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly attempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly log: EventsLogger;
  private closed = false;

  constructor(options: InProcessTransportOptions = {}) {
    this.attempts = Math.max(1, options.attempts ?? 4);
    this.retryBaseMs = options.retryBaseMs ?? 25;
    this.retryMaxMs = options.retryMaxMs ?? 1_000;
    this.log = options.log ?? consoleLogger;
  }

  async subscribe(consumer: string, eventTypes: readonly string[], handler: EventHandler): Promise<void> {
    if (this.closed) throw new Error("The transport is closed.");
    if (this.subscriptions.some((subscription) => subscription.consumer === consumer)) {
      throw new Error(`Consumer "${consumer}" is already subscribed; register each consumer once.`);
    }
    this.subscriptions.push({ consumer, eventTypes: new Set(eventTypes), handler });
  }

  async publish(event: IntegrationEvent): Promise<void> {
    if (this.closed) throw new Error("The transport is closed.");
    const targets = this.subscriptions.filter((subscription) => subscription.eventTypes.has(event.type));
    const delivery = Promise.all(targets.map(async (target) => ((await this.deliverWithRetries(target, event)) ? null : target.consumer)));
    this.inFlight.add(delivery);
    try {
      const failed = (await delivery).filter((consumer): consumer is string => consumer !== null);
      if (failed.length > 0) throw new DeliveryFailedError(event, failed);
    } finally {
      this.inFlight.delete(delivery);
    }
  }

  /** Refuses new events and waits for the deliveries in progress. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliverWithRetries(target: Subscription, event: IntegrationEvent): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await observeDelivery(target.consumer, event, attempt, () => target.handler(event));
        return true;
      } catch (error) {
        this.log(`${target.consumer} failed to handle ${event.type} ${event.id} (attempt ${attempt} of ${this.attempts})`, error);
        if (attempt >= this.attempts || this.closed) return false;
        await sleep(backoffDelay(attempt, this.retryBaseMs, this.retryMaxMs));
      }
    }
  }
}
