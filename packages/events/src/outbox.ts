import { randomUUID } from "node:crypto";
import type { Prisma } from "@monograph/db";
import { currentTraceCarrier } from "@monograph/telemetry";
import type { IntegrationEvent } from "./bus.ts";

/** The outbox seen from a producer's transaction: it may only insert events. */
export type OutboxWriter = Pick<Prisma.TransactionClient, "outboxEvent">;

export interface NewEvent<TPayload> {
  source: string;
  type: string;
  payload: TPayload;
  /** Defaults to now. */
  occurredAt?: Date;
  /** Defaults to a fresh UUID; tests pass one to redeliver the same event. */
  id?: string;
}

const EVENT_TYPE = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;

/** Builds a typed event value. Its payload is normalised to plain JSON, exactly as every consumer will see it. */
export function createEvent<TPayload>(event: NewEvent<TPayload>): IntegrationEvent<TPayload> {
  if (!EVENT_TYPE.test(event.type)) throw new Error(`Event type "${event.type}" must be dotted lower-case words, e.g. "orders.created".`);
  // Recorded while serving a traced request: the event's handling continues that trace.
  const traceContext = currentTraceCarrier();
  return {
    ...(traceContext ? { traceContext } : {}),
    id: event.id ?? randomUUID(),
    type: event.type,
    source: event.source,
    occurredAt: event.occurredAt ?? new Date(),
    payload: JSON.parse(JSON.stringify(event.payload)) as TPayload,
  };
}

/**
 * Records an event in the outbox. Call it with the transaction client of the change the event describes, so
 * both commit or neither does; then tell the relay (`OutboxNotifier.notify()`) after the commit.
 */
export async function writeToOutbox<TPayload>(tx: OutboxWriter, event: IntegrationEvent<TPayload>): Promise<IntegrationEvent<TPayload>> {
  await tx.outboxEvent.create({
    data: {
      id: event.id,
      source: event.source,
      type: event.type,
      payload: event.payload as Prisma.InputJsonValue,
      occurredAt: event.occurredAt,
      traceparent: event.traceContext?.traceparent ?? null,
    },
  });
  return event;
}

/** `createEvent` then `writeToOutbox`, the usual pair inside a domain's transaction. */
export function recordEvent<TPayload>(tx: OutboxWriter, event: NewEvent<TPayload>): Promise<IntegrationEvent<TPayload>> {
  return writeToOutbox(tx, createEvent(event));
}
