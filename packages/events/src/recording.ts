import type { EventHandler, EventTransport, IntegrationEvent } from "./bus.ts";

/**
 * A transport for unit tests: `publish` only records, and nothing is delivered until the test calls `deliver`,
 * so a test decides exactly when (and how often) a handler sees an event.
 */
export class RecordingTransport implements EventTransport {
  readonly published: IntegrationEvent[] = [];
  readonly subscriptions: { consumer: string; eventTypes: readonly string[]; handler: EventHandler }[] = [];
  closed = false;

  async publish(event: IntegrationEvent): Promise<void> {
    this.published.push(event);
  }

  async subscribe(consumer: string, eventTypes: readonly string[], handler: EventHandler): Promise<void> {
    this.subscriptions.push({ consumer, eventTypes: [...eventTypes], handler });
  }

  /** The event types each consumer subscribed to, e.g. `{ billing: ["orders.created"] }`. */
  subscribedTypes(): Record<string, string[]> {
    return Object.fromEntries(this.subscriptions.map((subscription) => [subscription.consumer, [...subscription.eventTypes].sort()]));
  }

  /** Runs every handler subscribed to this event's type, one after the other; the first failure is thrown. */
  async deliver(event: IntegrationEvent): Promise<void> {
    for (const subscription of this.subscriptions) {
      if (subscription.eventTypes.includes(event.type)) await subscription.handler(event);
    }
  }

  /** Delivers every recorded event (in publishing order) and forgets them. */
  async deliverAll(): Promise<void> {
    const events = this.published.splice(0);
    for (const event of events) await this.deliver(event);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
