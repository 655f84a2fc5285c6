import { SpanKind, trace } from "@opentelemetry/api";
import { contextFrom, eventsFailed, eventsHandled, eventsRedelivered, eventTypes, inSpan } from "@monograph/telemetry";
import type { IntegrationEvent } from "./bus.ts";

/**
 * Runs one delivery of an event to a consumer's handler, as every transport does: counts it (handled, failed,
 * redelivered, per consumer and event type) and, with tracing on, runs it under a CONSUMER span that continues
 * the trace of the request that recorded the event (the context stored with its outbox row) and links to it.
 */
export function observeDelivery(consumer: string, event: IntegrationEvent, delivery: number, handle: () => Promise<void>): Promise<void> {
  const labels = { consumer, type: eventTypes.of(event.type) };
  if (delivery > 1) eventsRedelivered.inc(labels);
  const parent = contextFrom(event.traceContext);
  const origin = trace.getSpanContext(parent);
  return inSpan(
    `handle ${labels.type}`,
    {
      kind: SpanKind.CONSUMER,
      parent,
      attributes: { "messaging.operation.type": "process", "messaging.destination.name": event.type, "messaging.consumer.group.name": consumer, "messaging.message.id": event.id, "monograph.delivery": delivery },
    },
    async (span) => {
      if (span && origin) span.addLink({ context: origin });
      try {
        await handle();
        eventsHandled.inc(labels);
      } catch (error) {
        eventsFailed.inc(labels);
        throw error;
      }
    },
  );
}
