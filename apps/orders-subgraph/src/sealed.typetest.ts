// Type-level tests of sealed data (docs/adr/0016): this file is compiled by `npm run typecheck` and never run.
// Each `@ts-expect-error` below is a line that must NOT compile: should orders' handles ever reach billing's tables
// again, the directive itself becomes the error ("Unused '@ts-expect-error' directive") and typecheck fails.
import { handleOnce } from "@monograph/events";
import type { OrdersDb, OrdersTx } from "./repository.ts";

export async function ordersHandleReachesOrdersOnly(db: OrdersDb): Promise<void> {
  await db.order.findMany();
  // @ts-expect-error billing's invoices are not orders' to read
  await db.invoice.findMany();
  // @ts-expect-error nor inventory's products
  await db.product.findMany();
  // @ts-expect-error the outbox is written only inside a transaction, with the change it describes
  await db.outboxEvent.findMany();
  // @ts-expect-error raw SQL would name any table: orders' handle has none
  await db.$queryRaw`SELECT * FROM billing.invoices`;
}

export async function ordersTransactionReachesOrdersOnly(db: OrdersDb): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.order.findMany();
    await tx.outboxEvent.count();
    // @ts-expect-error billing's invoices, inside orders' transaction
    await tx.invoice.findMany();
    // @ts-expect-error billing's payments
    await tx.payment.create({ data: { invoiceId: "x", amountCents: 1, currency: "EUR", status: "SUCCEEDED", providerRef: "x" } });
    // @ts-expect-error no raw SQL inside a transaction either
    await tx.$executeRaw`DELETE FROM billing.invoices`;
  });
}

export async function ordersInboxEffectReachesOrdersOnly(db: OrdersDb): Promise<void> {
  await handleOnce(db, "orders", { id: "00000000-0000-4000-8000-000000000000" }, async (tx) => {
    await tx.order.findMany();
    // @ts-expect-error billing's invoices, inside the inbox's transaction
    await tx.invoice.findMany();
  });
  // The effect cannot widen its own transaction either: asking for the whole client's shape does not fit.
  // @ts-expect-error an effect typed to billing's transaction is not an orders effect
  await handleOnce(db, "orders", { id: "00000000-0000-4000-8000-000000000000" }, async (tx: OrdersTx & { invoice: unknown }) => void tx);
}
