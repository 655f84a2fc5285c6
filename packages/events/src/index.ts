/**
 * @monograph/events: integration events between domains, with a transactional outbox and an inbox.
 * The delivery guarantees are written in bus.ts; the reasoning in docs/adr/0004-events-outbox-inbox.md.
 *
 * Producer (inside the transaction of its change, then after commit):
 *   await recordEvent(tx, { source: "orders", type: "orders.created", payload });   // commit...
 *   outbox.notify();
 *
 * Consumer (a domain's src/subscriptions.ts):
 *   await subscriber.subscribe("billing", ["orders.created"], (event) =>
 *     handleOnce(db, "billing", event, (tx) => openInvoice(tx, parse(event.payload))).then(() => undefined));
 *
 * Composition root:
 *   - monolith: one `InProcessTransport`, every domain's subscriptions registered on it, then ONE `OutboxRelay`
 *     over all sources, passed to every domain as its `OutboxNotifier`; `relay.start()`.
 *   - a process per domain: `NatsJetStreamTransport.connect({ servers: NATS_URL })`, this domain's subscriptions,
 *     and a relay with `sources: [<this domain>]`.
 *   - wherever a relay or an inbox lives: an `EventsRetention` over its sources and consumers, started with it,
 *     deletes delivered outbox rows and inbox rows older than their windows (docs/adr/0015).
 *   - unit tests: `RecordingTransport` (nothing is delivered until the test says so) and `relay.flush()`.
 */
export {
  backoffDelay,
  consoleLogger,
  NO_OUTBOX_NOTIFIER,
  type EventHandler,
  type EventPublisher,
  type EventsLogger,
  type EventSubscriber,
  type EventTransport,
  type IntegrationEvent,
  type OutboxNotifier,
} from "./bus.ts";
export { createEvent, recordEvent, writeToOutbox, type NewEvent, type OutboxWriter } from "./outbox.ts";
export { handleOnce, type InboxTx, type TransactionRunner } from "./inbox.ts";
export {
  DEFAULT_RETENTION_BATCH_SIZE,
  DEFAULT_RETENTION_INTERVAL_MS,
  DEFAULT_RETENTION_MS,
  EventsRetention,
  type EventsRetentionOptions,
  type EventsRetentionSettings,
  type RetentionDatabase,
  type RetentionSweep,
} from "./retention.ts";
export { OutboxRelay, type FlushResult, type OutboxReader, type OutboxRelayOptions } from "./relay.ts";
export { DeliveryFailedError, InProcessTransport, type InProcessTransportOptions } from "./in-process.ts";
export { DEFAULT_NATS_URL, NatsJetStreamTransport, type NatsJetStreamTransportOptions } from "./nats.ts";
export { RecordingTransport } from "./recording.ts";
export { eventsEnvSchema, type EventsEnv } from "./env.ts";
export type { EventContract, PayloadOf } from "./contract.ts";
