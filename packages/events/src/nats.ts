import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { observeDelivery } from "./observe.ts";
import { backoffDelay, consoleLogger, type EventHandler, type EventsLogger, type EventTransport, type IntegrationEvent } from "./bus.ts";

import { DEFAULT_NATS_URL } from "./env.ts";

export { DEFAULT_NATS_URL };

export interface NatsJetStreamTransportOptions {
  /** Default nats://127.0.0.1:4222. */
  servers?: string | string[];
  /**
   * Namespaces everything this transport creates, so that parallel test runs (or two environments on one NATS)
   * never see each other's events: the stream becomes `<prefix>_MONOGRAPH_EVENTS` on `<prefix>.events.>`, and
   * each durable consumer `<prefix>_<consumer>_<type>`. Default: none (`MONOGRAPH_EVENTS` on `events.>`).
   */
  prefix?: string;
  /** Shown in NATS monitoring, e.g. "orders-subgraph". */
  connectionName?: string;
  /**
   * How long JetStream waits for an ack before it redelivers a message to another pull (the same process after a
   * reconnect, or the successor of a process that died with events in hand). Default 5 s. A handler still working
   * tells JetStream so every `ackWaitMs / 2` (`msg.working()`), so a slow handler is not redelivered meanwhile.
   */
  ackWaitMs?: number;
  /** How long a publish waits for JetStream's acknowledgement. Default 5 s. */
  publishTimeoutMs?: number;
  /** First redelivery delay after a handler failed; doubles per delivery. Default 1 s. */
  retryBaseMs?: number;
  /** Longest redelivery delay. Default 60 s. */
  retryMaxMs?: number;
  /** How long the stream keeps events (a consumer that is down longer misses them). Default 7 days. */
  maxAgeMs?: number;
  log?: EventsLogger;
}

interface WireEvent {
  id: string;
  type: string;
  source: string;
  occurredAt: string;
  payload: unknown;
}

const MS_TO_NANOS = 1_000_000;

/**
 * NATS JetStream as the transport between processes (hybrid and distributed shapes).
 *
 * - One stream (created if missing) holds every event; an event of type `orders.created` is published on subject
 *   `events.orders.created` with its id as the JetStream message id, so a relay that publishes a row twice
 *   within the stream's duplicate window stores it once.
 * - `publish` resolves on JetStream's acknowledgement: the message is stored, and the relay may stamp the row.
 * - Each (consumer, event type) pair gets its own durable pull consumer: it survives restarts and resumes where
 *   it stopped. One per type rather than one per consumer with several filter subjects because that needs NATS
 *   2.10, and these machines run 2.9.
 * - A message is acked only after the handler resolved (its transaction committed); a failing handler's message
 *   is nak'ed with an exponential delay and redelivered without limit; a message that is not an event at all
 *   is terminated (it could never succeed).
 * - **A consumer that dies with events in hand** (at most 16 per subscription) loses nothing: JetStream redelivers
 *   them once the ack wait (`ackWaitMs`, 5 s) has passed, to whichever process pulls next on the same durable
 *   consumer, typically its restarted successor. While a handler runs, an in-progress heartbeat
 *   (`msg.working()`, every `ackWaitMs / 2`) keeps its message from being redelivered to someone else, so the ack
 *   wait can be short without doubling slow handlers (the inbox would absorb a double anyway).
 * - `publishMany` pipelines a whole batch of the relay on the connection and answers per event. While the
 *   connection is down (between a `disconnect` and a `reconnect`), it refuses at once instead of waiting out
 *   `publishTimeoutMs` per event, and the relay pauses (see OutboxRelay).
 */
export class NatsJetStreamTransport implements EventTransport {
  readonly streamName: string;
  private readonly subjectRoot: string;
  private readonly consumers: { messages: ConsumerMessages; loop: Promise<void> }[] = [];
  private closing: Promise<void> | undefined;
  /** False between a `disconnect` and a `reconnect` of the NATS connection. */
  private connected = true;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly options: NatsJetStreamTransportOptions,
    private readonly log: EventsLogger,
  ) {
    const prefix = options.prefix ? sanitizeToken(options.prefix) : "";
    this.streamName = streamNameFor(options.prefix);
    this.subjectRoot = prefix ? `${prefix}.events` : "events";
    void this.watchConnection();
  }

  private async watchConnection(): Promise<void> {
    try {
      for await (const status of this.nc.status()) {
        if (status.type === "disconnect") this.connected = false;
        else if (status.type === "reconnect") this.connected = true;
      }
    } catch {
      // The connection closed: nothing left to watch.
    }
  }

  private get ackWaitMs(): number {
    return this.options.ackWaitMs ?? 5_000;
  }

  /** Connects (reconnecting forever if the connection drops later) and makes sure the stream exists. */
  static async connect(options: NatsJetStreamTransportOptions = {}): Promise<NatsJetStreamTransport> {
    const nc = await connect({
      servers: options.servers ?? DEFAULT_NATS_URL,
      name: options.connectionName,
      maxReconnectAttempts: -1,
    });
    try {
      const transport = new NatsJetStreamTransport(nc, jetstream(nc), await jetstreamManager(nc), options, options.log ?? consoleLogger);
      await transport.ensureStream();
      return transport;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /**
   * Deletes the stream of `prefix` with its consumers and every event in it: for tearing down a test run's or a
   * retired environment's namespace. A stream that does not exist is not an error.
   */
  static async deleteStream(options: Pick<NatsJetStreamTransportOptions, "servers" | "prefix">): Promise<void> {
    const nc = await connect({ servers: options.servers ?? DEFAULT_NATS_URL });
    try {
      await (await jetstreamManager(nc)).streams.delete(streamNameFor(options.prefix)).catch((error: unknown) => {
        if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
      });
    } finally {
      await nc.close();
    }
  }

  /** The subject an event type travels on. */
  subjectFor(type: string): string {
    return `${this.subjectRoot}.${type}`;
  }

  /** The durable consumer name behind one (consumer, event type) subscription. */
  durableName(consumer: string, type: string): string {
    const prefix = this.options.prefix ? `${sanitizeToken(this.options.prefix)}_` : "";
    return `${prefix}${sanitizeToken(consumer)}_${sanitizeToken(type)}`;
  }

  async publish(event: IntegrationEvent): Promise<void> {
    const [error] = await this.publishMany([event]);
    if (error) throw error;
  }

  async publishMany(events: readonly IntegrationEvent[]): Promise<(Error | null)[]> {
    if (!this.connected || this.nc.isClosed()) {
      const error = new Error("NATS is not connected");
      return events.map(() => error);
    }
    const timeout = this.options.publishTimeoutMs ?? 5_000;
    const results = await Promise.allSettled(
      events.map((event) => {
        const wire: WireEvent = { id: event.id, type: event.type, source: event.source, occurredAt: event.occurredAt.toISOString(), payload: event.payload };
        // The trace context travels in message headers (W3C names), beside the event, not inside it.
        const traced = event.traceContext && Object.keys(event.traceContext).length > 0 ? headers() : undefined;
        for (const [name, value] of Object.entries(event.traceContext ?? {})) traced?.set(name, value);
        return this.js.publish(this.subjectFor(event.type), JSON.stringify(wire), { msgID: event.id, timeout, ...(traced ? { headers: traced } : {}) });
      }),
    );
    return results.map((result) => (result.status === "fulfilled" ? null : result.reason instanceof Error ? result.reason : new Error(String(result.reason))));
  }

  async subscribe(consumer: string, eventTypes: readonly string[], handler: EventHandler): Promise<void> {
    if (this.closing) throw new Error("The transport is closed.");
    for (const type of eventTypes) {
      const durable = this.durableName(consumer, type);
      await this.ensureConsumer(durable, this.subjectFor(type));
      const messages = await (await this.js.consumers.get(this.streamName, durable)).consume({ max_messages: 16 });
      this.consumers.push({ messages, loop: this.handleMessages(consumer, `${consumer} (${type})`, messages, handler) });
    }
  }

  /** Stops consuming, lets the handlers in progress finish (and ack), then drains the connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all(this.consumers.map(({ messages }) => messages.close().catch(() => undefined)));
      await Promise.all(this.consumers.map(({ loop }) => loop));
      await this.nc.drain().catch(() => undefined);
    })();
    return this.closing;
  }

  private async handleMessages(consumer: string, label: string, messages: ConsumerMessages, handler: EventHandler): Promise<void> {
    try {
      for await (const message of messages) {
        const event = decode(message);
        if (!event) {
          this.log(`${label}: terminating message ${message.seq} on ${message.subject}, which is not an event`);
          message.term();
          continue;
        }
        // In progress: JetStream must not hand this message to someone else while the handler works on it.
        const heartbeat = setInterval(() => {
          try {
            message.working();
          } catch {
            // The connection is gone: the message will be redelivered after the ack wait, and the inbox absorbs it.
          }
        }, Math.max(100, Math.floor(this.ackWaitMs / 2)));
        try {
          await observeDelivery(consumer, event, message.info.deliveryCount, () => handler(event));
          clearInterval(heartbeat);
          message.ack();
        } catch (error) {
          clearInterval(heartbeat);
          const delay = backoffDelay(message.info.deliveryCount, this.options.retryBaseMs ?? 1_000, this.options.retryMaxMs ?? 60_000);
          this.log(`${label} failed to handle ${event.type} ${event.id} (delivery ${message.info.deliveryCount}); redelivering in ${delay} ms`, error);
          message.nak(delay);
        }
      }
    } catch (error) {
      if (!this.closing) this.log(`${label}: consumer stopped`, error);
    }
  }

  private async ensureStream(): Promise<void> {
    try {
      await this.jsm.streams.info(this.streamName);
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
      await this.jsm.streams.add({
        name: this.streamName,
        subjects: [`${this.subjectRoot}.>`],
        storage: StorageType.File,
        max_age: (this.options.maxAgeMs ?? 7 * 24 * 60 * 60 * 1000) * MS_TO_NANOS,
      });
    }
  }

  private async ensureConsumer(durable: string, filterSubject: string): Promise<void> {
    const config = {
      durable_name: durable,
      filter_subject: filterSubject,
      ack_policy: AckPolicy.Explicit,
      // A consumer created after events were published still gets them: its inbox skips what it already handled.
      deliver_policy: DeliverPolicy.All,
      ack_wait: this.ackWaitMs * MS_TO_NANOS,
      max_deliver: -1,
    };
    try {
      const existing = await this.jsm.consumers.info(this.streamName, durable);
      if (existing.config.ack_wait !== config.ack_wait) {
        await this.jsm.consumers.update(this.streamName, durable, { ack_wait: config.ack_wait });
      }
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
      await this.jsm.consumers.add(this.streamName, config);
    }
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

function streamNameFor(prefix: string | undefined): string {
  return prefix ? `${sanitizeToken(prefix)}_MONOGRAPH_EVENTS` : "MONOGRAPH_EVENTS";
}

/** Stream and consumer names may not contain dots, wildcards or whitespace. */
function sanitizeToken(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, "-");
}

function decode(message: JsMsg): IntegrationEvent | null {
  let wire: Partial<WireEvent>;
  try {
    wire = message.json<Partial<WireEvent>>();
  } catch {
    return null;
  }
  const occurredAt = typeof wire.occurredAt === "string" ? new Date(wire.occurredAt) : new Date(Number.NaN);
  if (typeof wire.id !== "string" || typeof wire.type !== "string" || typeof wire.source !== "string" || Number.isNaN(occurredAt.getTime()) || !("payload" in wire)) {
    return null;
  }
  const traceparent = message.headers?.get("traceparent");
  const tracestate = message.headers?.get("tracestate");
  const traceContext = traceparent ? { traceparent, ...(tracestate ? { tracestate } : {}) } : undefined;
  return { id: wire.id, type: wire.type, source: wire.source, occurredAt, payload: wire.payload, ...(traceContext ? { traceContext } : {}) };
}
