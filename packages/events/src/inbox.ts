import type { Prisma, PrismaClient } from "@monograph/db";
import type { IntegrationEvent } from "./bus.ts";

/** A database handle that can run a transaction; the consumer's effect gets the transaction client. */
export type TransactionRunner = Pick<PrismaClient, "$transaction">;

/**
 * Runs `effect` for this (consumer, event) at most once, ever: the inbox row and the effect commit in one
 * transaction. Returns false, without running the effect, when the event was already handled. When the effect
 * throws, nothing commits (not even the inbox row), so the event is handled again on redelivery.
 *
 * Two deliveries of one event at the same moment cannot both pass: the second insert waits on the first one's
 * unique key and, once that commits, inserts nothing.
 */
export async function handleOnce(
  db: TransactionRunner,
  consumer: string,
  event: Pick<IntegrationEvent, "id">,
  effect: (tx: Prisma.TransactionClient) => Promise<void>,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    // ON CONFLICT DO NOTHING rather than catching a unique violation: a failed statement would abort the transaction.
    const claimed = await tx.processedEvent.createMany({ data: [{ consumer, eventId: event.id }], skipDuplicates: true });
    if (claimed.count === 0) return false;
    await effect(tx);
    return true;
  });
}
