/**
 * The event bus between Monograph's domains: the types every producer, consumer and transport share.
 *
 * Delivery guarantees (docs/adr/0004-events-outbox-inbox.md):
 *
 * 1. **Written with the change.** A domain records its event in the outbox (`events.outbox`, `writeToOutbox`)
 *    inside the same database transaction as the change it describes. Both commit, or neither: a rolled-back
 *    transaction leaves no event, and a committed change always has its event.
 * 2. **Delivered after commit, at least once.** An `OutboxRelay` reads the committed, unpublished rows of the
 *    sources it is configured with, hands each to an `EventTransport`, and stamps `publishedAt` only once the
 *    transport accepted it. It is woken right after a commit (`notify()`) and also polls, so a row whose
 *    notification was lost (a crash between commit and publish, a transport that was down) goes out on the next
 *    poll or after a restart. A crash between "published" and "stamped" publishes the row again: delivery is
 *    at-least-once, never at-most-once. Order is not guaranteed (retries reorder); handlers must cope. Replicas
 *    of one domain each run a relay: a relay claims the rows it publishes for a lease, so each row goes out through
 *    one relay, and the rows of a relay that crashed are taken over once its lease ran out (docs/adr/0015).
 * 3. **Handled exactly once.** Every handler runs its effect through `handleOnce`, which records
 *    (consumer, event id) in the inbox (`events.processed_events`) in the SAME transaction as the effect. A
 *    redelivered event finds its row and is skipped; a failed effect rolls the row back with it, so the event is
 *    retried. At-least-once delivery plus this inbox gives an exactly-once effect.
 * 4. **A failing handler is retried, not lost.** A handler that throws is retried with backoff by the transport
 *    (in-process: a few quick attempts, then the relay leaves the row unpublished and tries again later;
 *    JetStream: the message is nak'ed with a delay and redelivered, without limit). A handler throws only for
 *    problems that may pass; an event it can never handle (an unknown order, a malformed payload) is logged and
 *    acknowledged, so it cannot block a consumer forever.
 * 5. **A transport accepts an event only when it can no longer lose it.** `publish` resolves once JetStream has
 *    stored the message (NATS), or once every in-process subscriber has handled it (the in-process transport
 *    keeps nothing in memory that a crash could lose: until then the row stays unpublished in the outbox).
 */

import { childLogger } from "@monograph/telemetry";

/** A fact one domain publishes for others: immutable, identified, timestamped. */
export interface IntegrationEvent<TPayload = unknown> {
  /** A UUID, unique per event; consumers deduplicate on it. */
  readonly id: string;
  /** Dotted name, `<source>.<past-tense verb>`, e.g. "orders.created". Also the transport subject. */
  readonly type: string;
  /** The publishing domain, e.g. "orders". A relay relays only the sources it is configured with. */
  readonly source: string;
  readonly occurredAt: Date;
  /** Plain JSON (it is stored as JSONB and travels as JSON): dates are ISO strings, amounts integers. */
  readonly payload: TPayload;
  /**
   * The W3C trace context (`traceparent`, `tracestate`) of the request that recorded the event, when it was
   * traced: stored with the outbox row and carried in message headers, so the handling continues that trace.
   */
  readonly traceContext?: Readonly<Record<string, string>>;
}

/**
 * Handles one event. Resolve when the effect is committed (then the transport acknowledges the event); throw to
 * have it redelivered later.
 */
export type EventHandler = (event: IntegrationEvent) => Promise<void>;

/** What a domain's `subscriptions.ts` needs: a way to register handlers. */
export interface EventSubscriber {
  /**
   * Delivers every event of `eventTypes` to `handler`. `consumer` names the subscription durably (the inbox key,
   * the JetStream durable consumer): keep it stable across releases, one `subscribe` per consumer name.
   */
  subscribe(consumer: string, eventTypes: readonly string[], handler: EventHandler): Promise<void>;
}

/** What the relay needs: somewhere to hand an event. */
export interface EventPublisher {
  /** Resolves once the transport can no longer lose the event (see guarantee 5 above); rejects otherwise. */
  publish(event: IntegrationEvent): Promise<void>;
  /**
   * Optional: hands many events over at once (pipelined on one connection, in this order), and answers per event
   * `null` (accepted, as `publish` resolving) or the error. A relay with a batch transport publishes a whole batch
   * in one round trip, and, when NONE of a batch is accepted (the transport is away), backs off as a whole instead
   * of waiting out a timeout per row.
   */
  publishMany?(events: readonly IntegrationEvent[]): Promise<(Error | null)[]>;
}

/** Moves events from the relay to the subscribers: in-process (monolith) or NATS JetStream (separate processes). */
export interface EventTransport extends EventPublisher, EventSubscriber {
  /** Stops delivering, waits for handlers in progress, and releases connections. */
  close(): Promise<void>;
}

/** Told right after a transaction that wrote to the outbox committed, so the event goes out promptly. */
export interface OutboxNotifier {
  notify(): void;
}

/** Does nothing: the relay's poll picks the event up. For code paths (and tests) without a relay at hand. */
export const NO_OUTBOX_NOTIFIER: OutboxNotifier = Object.freeze({ notify: () => undefined });

/** Where the event machinery reports what it cannot throw to anyone (a failed handler, a failed publish). */
export type EventsLogger = (message: string, error?: unknown) => void;

const eventsLog = childLogger("events");

/** The default EventsLogger: the process's logger, component "events" (the name is older than the logger). */
export const consoleLogger: EventsLogger = (message, error) => {
  if (error === undefined) eventsLog.warn(message);
  else eventsLog.warn({ err: error }, message);
};

/** Exponential backoff with a cap: 1x, 2x, 4x... `baseMs`, at most `maxMs`. `attempt` counts from 1. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
