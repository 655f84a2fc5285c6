import type { DomainTx } from "@monograph/db";
import type { IntegrationEvent } from "./bus.ts";

/** What the inbox itself needs inside the consumer's transaction: its `processed_events` table. */
export type InboxTx = DomainTx<"processedEvent">;

/**
 * A database handle that can run a transaction whose client is `Tx`: the consuming domain's own transaction type
 * (its `DomainDb`), so the effect sees that domain's models only, never the whole client.
 */
export type TransactionRunner<Tx extends InboxTx = InboxTx> = {
  $transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
};

/**
 * Runs `effect` for this (consumer, event) at most once, ever: the inbox row and the effect commit in one
 * transaction. Returns false, without running the effect, when the event was already handled. When the effect
 * throws, nothing commits (not even the inbox row), so the event is handled again on redelivery.
 *
 * Generic over the consumer's transaction type: `effect` gets exactly what the consumer's `DomainDb` hands out
 * (`DomainTx<its models | "processedEvent">`), so an orders handler that reads `tx.invoice` does not compile.
 *
 * Two deliveries of one event at the same moment cannot both pass: the second insert waits on the first one's
 * unique key and, once that commits, inserts nothing.
 */
export async function handleOnce<Tx extends InboxTx>(
  db: TransactionRunner<Tx>,
  consumer: string,
  event: Pick<IntegrationEvent, "id">,
  effect: (tx: Tx) => Promise<void>,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    // ON CONFLICT DO NOTHING rather than catching a unique violation: a failed statement would abort the transaction.
    const claimed = await tx.processedEvent.createMany({ data: [{ consumer, eventId: event.id }], skipDuplicates: true });
    if (claimed.count === 0) return false;
    await effect(tx);
    return true;
  });
}
